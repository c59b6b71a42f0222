import { type Test, test } from 'tap'
import {
  checkWebhookUrl,
  isPublicAddress,
  type Resolve,
  systemResolve,
  type TargetPolicy,
} from '../../src/modules/webhooks/webhooks.address.js'

const strict: TargetPolicy = { allowHttp: false, allowPrivateTargets: false }
const withHttp: TargetPolicy = { allowHttp: true, allowPrivateTargets: false }
const open: TargetPolicy = { allowHttp: true, allowPrivateTargets: true }

/** A resolver that answers from a table and records the names it was asked for. */
function resolver(table: Record<string, string[]>): Resolve & { asked: string[] } {
  const asked: string[] = []
  const resolve = async (hostname: string) => {
    asked.push(hostname)
    const addresses = table[hostname]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(resolve, { asked })
}

const names = resolver({
  'hooks.example.com': ['93.184.216.34'],
  'v6.example.com': ['2606:4700:4700::1111'],
  'loopback.example.com': ['127.0.0.1'],
  'mixed.example.com': ['93.184.216.34', '10.1.2.3'],
  'metadata.example.com': ['169.254.169.254'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'empty.example.com': [],
})

interface RefusedError extends Error {
  statusCode: number
  code: string
  problem: { errors: { in: string; pointer: string; message: string }[] }
}

async function assertRefused(t: Test, url: string, policy: TargetPolicy, message: RegExp, resolve: Resolve = names) {
  const label = url.length > 60 ? `${url.slice(0, 40)}… (${url.length} characters)` : url
  const err = (await checkWebhookUrl(url, policy, resolve).then(
    () => t.fail(`${label} was accepted`),
    (e: unknown) => e,
  )) as RefusedError | undefined
  if (!err) return
  t.equal(err.statusCode, 422, `${label}: 422`)
  t.equal(err.code, 'ND_WEBHOOK_TARGET_REFUSED')
  t.equal(err.problem.errors.length, 1)
  const field = err.problem.errors[0]
  t.same({ in: field?.in, pointer: field?.pointer }, { in: 'body', pointer: '/url' })
  t.match(field?.message, message, `${label}: says why`)
  t.equal(err.message, `The webhook URL is refused: it ${field?.message}`)
}

test('isPublicAddress: public unicast only, embedded IPv4 judged by itself', async (t) => {
  const notPublic = [
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '169.254.169.254', // cloud metadata
    'fd00:ec2::254', // AWS metadata over IPv6 (unique-local)
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1', // carrier-grade NAT
    '0.0.0.0',
    '0.1.2.3',
    '::',
    '224.0.0.1',
    'ff02::1',
    '255.255.255.255',
    '192.0.2.1', // documentation
    '198.18.0.1', // benchmarking
    '240.0.0.1', // reserved
    '2001:db8::1', // documentation
    '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '64:ff9b:1::5db8:d822', // local-use NAT64: the operator's own prefix
    '2002:7f00:1::', // 6to4 of 127.0.0.1
    '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo, client 192.0.2.45 (documentation)
    '2001:0:a00:1::fefe:fefe', // Teredo, server 10.0.0.1
    '::ffff:0:7f00:1', // IPv4-translated 127.0.0.1
    '::7f00:1', // IPv4-compatible (deprecated) 127.0.0.1
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    '4000::1', // unallocated
    'not an address',
    '',
    '127.1', // a shorthand ipaddr.js would read; not an address form connections use
    '0x7f.0.0.1',
    '::1%x.y', // an address to Node, not to ipaddr.js: not one to connect to
    'fe80::1%eth0:1',
  ]
  for (const ip of notPublic) t.equal(isPublicAddress(ip), false, `${ip || '(empty)'} is not public`)
  const isPublic = [
    '93.184.216.34',
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1', // just outside 172.16/12
    '100.128.0.1', // just outside 100.64/10
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:93.184.216.34', // mapped, judged by the public IPv4 inside
    '64:ff9b::5db8:d822', // NAT64 of 93.184.216.34
    '2002:5db8:d822::1', // 6to4 of 93.184.216.34
    '2001:0:101:101::fefe:fefe', // Teredo: server and client 1.1.1.1
  ]
  for (const ip of isPublic) t.equal(isPublicAddress(ip), true, `${ip} is public`)
})

test('checkWebhookUrl refuses', async (t) => {
  await t.test('loopback, private, link-local and metadata literals', async (t) => {
    await assertRefused(t, 'http://127.0.0.1/hook', withHttp, /127\.0\.0\.1, a non-public address \(loopback\)/)
    await assertRefused(t, 'https://127.0.0.1:8443/hook', strict, /loopback/)
    await assertRefused(t, 'http://[::1]/hook', withHttp, /::1, a non-public address \(loopback\)/)
    await assertRefused(t, 'https://[::ffff:127.0.0.1]/', strict, /loopback/)
    await assertRefused(t, 'http://169.254.169.254/latest/meta-data', withHttp, /linkLocal/)
    await assertRefused(t, 'https://[fd00:ec2::254]/', strict, /uniqueLocal/)
    await assertRefused(t, 'http://10.0.0.1/', withHttp, /private/)
    await assertRefused(t, 'https://0.0.0.0/', strict, /unspecified/)
    // The URL parser reads these as 127.0.0.1 before the check sees them.
    await assertRefused(t, 'https://2130706433/', strict, /127\.0\.0\.1.*loopback/)
    await assertRefused(t, 'https://0x7f.1/', strict, /127\.0\.0\.1.*loopback/)
    t.same(names.asked, [], 'no literal was resolved')
  })

  await t.test('localhost names, without resolving them', async (t) => {
    const never = resolver({})
    for (const url of [
      'https://localhost/',
      'https://LOCALHOST:8443/x',
      'https://api.localhost/',
      'https://localhost./',
    ]) {
      await assertRefused(t, url, strict, /this machine/, never)
    }
    t.same(never.asked, [])
  })

  await t.test('names that resolve to a non-public address, even one of several', async (t) => {
    await assertRefused(
      t,
      'https://loopback.example.com/',
      strict,
      /loopback\.example\.com, which resolves to a non-public address \(loopback\)/,
    )
    await assertRefused(
      t,
      'https://mixed.example.com/',
      strict,
      /mixed\.example\.com, which resolves to a non-public address \(private\)/,
    )
    await assertRefused(t, 'https://metadata.example.com/', strict, /linkLocal/)
    await assertRefused(t, 'https://mapped.example.com/', strict, /loopback/)
  })

  await t.test('names that do not resolve', async (t) => {
    await assertRefused(t, 'https://nowhere.example.com/', strict, /nowhere\.example\.com, which could not be resolved/)
    await assertRefused(t, 'https://empty.example.com/', strict, /could not be resolved/)
  })

  await t.test('other schemes, plain http unless allowed, credentials, length', async (t) => {
    await assertRefused(t, 'http://hooks.example.com/', strict, /uses the http scheme; webhook URLs must use https$/)
    await assertRefused(
      t,
      'ftp://hooks.example.com/',
      withHttp,
      /uses the ftp scheme; webhook URLs must use http or https/,
    )
    await assertRefused(t, 'file:///etc/passwd', open, /uses the file scheme/)
    await assertRefused(t, 'gopher://127.0.0.1:6379/', open, /gopher/)
    await assertRefused(t, 'https://user:s3cret@hooks.example.com/', strict, /user name or password/)
    await assertRefused(t, 'https://token@hooks.example.com/', open, /user name or password/)
    await assertRefused(t, `https://hooks.example.com/${'a'.repeat(2048)}`, strict, /longer than 2048 characters/)
    await assertRefused(t, 'not a url', strict, /not a valid absolute URL/)
    await assertRefused(t, '/relative/path', strict, /not a valid absolute URL/)
    await assertRefused(t, 'https://', strict, /not a valid absolute URL/)
  })

  await t.test('messages never echo the credentials, path or query', async (t) => {
    const err = await checkWebhookUrl('https://user:s3cret@127.0.0.1/p?token=abc', strict, names).catch((e) => e)
    t.notMatch(JSON.stringify({ message: err.message, problem: err.problem }), /s3cret|token|abc|\/p/)
  })
})

test('checkWebhookUrl accepts', async (t) => {
  const count = names.asked.length
  await checkWebhookUrl('https://hooks.example.com/newsdesk?x=1', strict, names)
  await checkWebhookUrl('https://v6.example.com:8443/', strict, names)
  await checkWebhookUrl('https://93.184.216.34/', strict, names)
  await checkWebhookUrl('https://[2606:4700:4700::1111]/', strict, names)
  await checkWebhookUrl('http://hooks.example.com/', withHttp, names)
  t.same(names.asked.slice(count), ['hooks.example.com', 'v6.example.com', 'hooks.example.com'], 'names resolved')

  await t.test('everything loopback and private when private targets are allowed, without resolving', async (t) => {
    const never = resolver({})
    for (const url of [
      'http://127.0.0.1:3000/hook',
      'http://[::1]/',
      'http://localhost:8080/',
      'http://10.0.0.1/',
      'http://169.254.169.254/',
      'https://unresolvable.internal/',
    ]) {
      await checkWebhookUrl(url, open, never)
    }
    t.same(never.asked, [])
    await assertRefused(t, 'http://127.0.0.1/', { allowHttp: false, allowPrivateTargets: true }, /must use https/)
  })

  await t.test('the system resolver: localhost is loopback', async (t) => {
    const addresses = await systemResolve('localhost')
    t.ok(addresses.length > 0)
    t.ok(
      addresses.every((a) => !isPublicAddress(a.address)),
      'localhost resolves to loopback',
    )
    await checkWebhookUrl('http://localhost/', open)
  })
})
