// Swagger UI in a real browser, served over plain HTTP to a host name other than localhost (as
// with HOST=0.0.0.0 on a LAN): it renders, the CSP refuses nothing, and Authorize + Try it out
// calls the API. Chromium must be installed (Debian's package: .ci/run installs it); without it
// the test is skipped.
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { delimiter, join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { test } from 'tap'
import { build } from '../helper.js'

/** CHROMIUM_PATH, or the first `chromium` / `chromium-browser` on PATH (Debian's package installs one). */
function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  for (const name of ['chromium', 'chromium-browser']) {
    const found = dirs.map((dir) => join(dir, name)).find((file) => existsSync(file))
    if (found) return found
  }
  return undefined
}
const executablePath = findChromium()
const skip = executablePath
  ? false
  : "no Chromium on PATH (install Debian's chromium or set CHROMIUM_PATH): browser test skipped"
// Not localhost, which browsers treat as secure and exempt from upgrade-insecure-requests.
const host = 'newsdesk.test'

/** Console errors, failed requests and uncaught page errors, as lines. */
function watch(page: Page) {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`))
  return problems
}

test('Swagger UI works over plain HTTP on a host other than localhost', { skip }, async (t) => {
  // Behind a proxy it trusts, which says whether the browser's request came over https.
  const { app, writer } = await build(t, { env: { TRUST_PROXY: 'true' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://${host}:${(app.server.address() as AddressInfo).port}`
  const browser: Browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', `--host-resolver-rules=MAP ${host} 127.0.0.1`, '--no-proxy-server'],
  })
  t.teardown(() => browser.close())

  const page = await browser.newPage()
  // Generous bounds for a loaded machine; unloaded, the whole test takes a few seconds.
  page.setDefaultTimeout(30_000)
  const problems = watch(page)
  const sent: { url: string; authorization?: string }[] = []
  page.on('request', (request) => sent.push({ url: request.url(), authorization: request.headers().authorization }))
  const response = await page.goto(`${base}/docs`)
  t.equal(response?.status(), 200)
  t.notMatch(String(response?.headers()['content-security-policy']), /upgrade-insecure-requests/)

  // Tags start collapsed (the API has too many operations to list at once): open Sources.
  const sources = page.locator('#operations-tag-Sources')
  await sources.waitFor()
  t.ok((await page.locator('.opblock-tag').count()) > 10, 'the tags are listed')
  await sources.click()
  const list = page.locator('#operations-Sources-listSources')
  await list.waitFor()
  t.ok((await page.locator('.opblock').count()) > 3, "the tag's operations are listed")
  t.match(await page.locator('.info .title').textContent(), /Newsdesk/, 'the title shows')

  await page.locator('.auth-wrapper .authorize').click()
  await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(writer.token)
  await page.locator('.modal-ux .auth-btn-wrapper .authorize').click()
  await page.locator('.modal-ux .btn-done, .modal-ux .close-modal').first().click()

  await list.locator('.opblock-summary').click()
  await list.locator('.try-out__btn').click()
  await list.locator('.execute').click()
  const status = list.locator('.live-responses-table .response .response-col_status')
  await status.waitFor()
  t.equal((await status.textContent())?.trim(), '200', 'Try it out: GET /v1/sources answers 200')
  const call = sent.find((r) => new URL(r.url).pathname === '/v1/sources')
  t.equal(call?.authorization, `Bearer ${writer.token}`, 'with the key given to Authorize')
  t.same(problems, [], 'no console error, refused resource or failed request')

  // The control: the same page as if over https (as the proxy reports it) asks the browser to
  // upgrade its requests, which fail here: what made the page blank on every plain-HTTP host.
  const secure = await browser.newPage({ extraHTTPHeaders: { 'x-forwarded-proto': 'https' } })
  const failed: string[] = []
  secure.on('requestfailed', (request) => failed.push(request.url()))
  await secure.goto(`${base}/docs`, { waitUntil: 'load', timeout: 30_000 })
  t.ok(
    failed.some((url) => url.startsWith(`https://${host}:`)),
    'the control: with upgrade-insecure-requests the files are asked for over https, and fail',
  )
})
