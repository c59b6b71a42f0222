import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'tap'
import { projectRoot } from '../../src/db/paths.js'
import { renderBodyHtml, renderBodyText } from '../../src/modules/articles/articles.body.js'

// Known XSS vectors, as Markdown links and images and as raw HTML inside Markdown.
const payloads = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<svg onload=alert(1)><circle r=1 /></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:text/html,<script>alert(1)</script>">',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">click</a>',
  '<a href="&#106;avascript:alert(1)">click</a>',
  '<a href=" javascript:alert(1)">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
  '<a href="https://ok.example" onclick="alert(1)" onmouseover="alert(1)">ok</a>',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<details open ontoggle=alert(1)>',
  '<body onload=alert(1)>',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  '<p title="</p><script>alert(1)</script>">x</p>',
  '[click](javascript:alert(1))',
  '[click](JAVASCRIPT:alert(1))',
  '[click](data:text/html;base64,PHNjcmlwdD4=)',
  '[click](vbscript:msgbox(1))',
  '![img](javascript:alert(1))',
  '![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '[x](//evil.example/path)',
  '<a href="https://ok.example">ok</a><script>alert(1)</script>',
  '`<script>alert(1)</script>` in code stays text',
]

const forbidden = [
  /<script/i,
  /<style/i,
  /<iframe/i,
  /<object/i,
  /<embed/i,
  /<svg/i,
  /<math/i,
  /<form/i,
  /<input/i,
  /<base/i,
  /<meta/i,
  /<link/i,
  /<body/i,
  /<details/i,
  /\son[a-z]+\s*=/i,
  /\sstyle\s*=/i,
  /\ssrcdoc\s*=/i,
  /(href|src|action|data)\s*=\s*"?\s*(javascript|vbscript|data):/i,
  /href="\/\//i,
]

test('bodyHtml removes every known XSS vector', async (t) => {
  for (const payload of payloads) {
    const html = renderBodyHtml(`Before.\n\n${payload}\n\nAfter.`)
    for (const pattern of forbidden) t.notMatch(html, pattern, `${payload} → no ${pattern}`)
    t.match(html, /<p>Before\.<\/p>/, 'the safe content around it survives')
    for (const anchor of html.match(/<a [^>]*>/g) ?? []) {
      t.match(anchor, /rel="noopener noreferrer"/, `${payload}: links get rel=noopener noreferrer`)
    }
  }
  t.match(renderBodyHtml('`<script>alert(1)</script>`'), /<code>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code>/)
})

test('bodyHtml keeps ordinary journalism markup', async (t) => {
  const html = renderBodyHtml(
    '## Background\n\nThe **Joint Operations Command** said, [according to the AP](https://apnews.com/ "AP").\n\n' +
      '> "We recognize that Iraq has an interest."\n\n- one\n- two\n\n![Map](https://img.example/map.png)',
  )
  t.match(html, '<h2>Background</h2>')
  t.match(html, '<strong>Joint Operations Command</strong>')
  t.match(html, '<a href="https://apnews.com/" title="AP" rel="noopener noreferrer">according to the AP</a>')
  t.match(html, /<blockquote>\s*<p>"We recognize/)
  t.match(html, /<ul>\s*<li>one<\/li>/)
  t.match(html, '<img src="https://img.example/map.png" alt="Map" />')
})

test('the seed article renders to its paragraphs, and to plain text', async (t) => {
  const seed = JSON.parse(await readFile(join(projectRoot, 'prisma', 'seed', 'content.json'), 'utf8')) as {
    articles: { body: string }[]
  }
  const body = seed.articles[0]?.body as string
  const paragraphs = body.split('\n\n')
  const html = renderBodyHtml(body)
  t.equal(html.match(/<p>/g)?.length, paragraphs.length, 'one <p> per paragraph')
  t.match(html, /Col\. Steve Warren/)
  const text = renderBodyText(body)
  t.equal(text, body, 'plain Markdown paragraphs are their own plain text')
  t.notMatch(text, /<|&quot;|&amp;/)
})

test('bodyText drops markup and raw HTML', async (t) => {
  t.equal(
    renderBodyText(
      '## Head\n\nSome **bold** and [a link](https://x.example) & <b>raw</b>.\n\n- a\n- b\n\n<script>x()</script>',
    ),
    'Head\n\nSome bold and a link & raw.\n\na\nb',
  )
})
