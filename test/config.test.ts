import { readFile } from 'node:fs/promises'
import t from 'tap'
import { ConfigError, type ConfigVariable, configVariableNames, loadConfig, loadTracingConfig } from '../src/config.js'

const repoRoot = new URL('../', import.meta.url)

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.logLevel, 'info')
  t.equal(config.logFormat, 'auto')
  t.same(config.database, { kind: 'embedded', dataDir: './.data/pglite', cacheMb: 32, wasmTierUp: false })
  t.equal(config.migrateOnStart, true)
  t.equal(config.seedOnStart, true)
  t.equal(config.bodyLimit, 1048576)
  t.equal(config.requestTimeoutMs, 30000)
  t.equal(config.keepAliveTimeoutMs, 72000)
  t.equal(config.shutdownTimeoutMs, 10000)
})

t.test('empty variables count as unset', async (t) => {
  const config = loadConfig({ PORT: '', DATABASE_URL: '', HOST: '' })
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.database.kind, 'embedded')
})

t.test('values are read and converted', async (t) => {
  const config = loadConfig({
    HOST: '0.0.0.0',
    PORT: '8080',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    DATA_DIR: 'memory://',
    BODY_LIMIT: '2048',
    REQUEST_TIMEOUT_MS: '0',
    KEEP_ALIVE_TIMEOUT_MS: '5000',
    SHUTDOWN_TIMEOUT_MS: '100',
  })
  t.equal(config.host, '0.0.0.0')
  t.equal(config.port, 8080)
  t.equal(config.logLevel, 'debug')
  t.equal(config.logFormat, 'json')
  t.same(config.database, { kind: 'embedded', dataDir: 'memory://', cacheMb: 32, wasmTierUp: false })
  t.equal(config.bodyLimit, 2048)
  t.equal(config.requestTimeoutMs, 0)
  t.equal(config.keepAliveTimeoutMs, 5000)
  t.equal(config.shutdownTimeoutMs, 100)
})

t.test('DATABASE_URL selects the server database', async (t) => {
  for (const url of ['postgres://u@db:5432/news', 'postgresql://u@db/news']) {
    const config = loadConfig({ DATABASE_URL: url })
    t.same(config.database, { kind: 'server', url, poolMax: 10 }, url)
    t.equal(config.migrateOnStart, false, `${url}: no migrations on start by default`)
    t.equal(config.seedOnStart, false, `${url}: no seed on start by default`)
  }
  const pooled = loadConfig({ DATABASE_URL: 'postgres://db/news', DATABASE_POOL_MAX: '3', DATA_DIR: '/ignored' })
  t.same(pooled.database, { kind: 'server', url: 'postgres://db/news', poolMax: 3 })
})

t.test('MIGRATE_ON_START and SEED_ON_START override the default', async (t) => {
  const embedded = loadConfig({ MIGRATE_ON_START: 'false', SEED_ON_START: 'false' })
  t.equal(embedded.migrateOnStart, false)
  t.equal(embedded.seedOnStart, false)
  const server = loadConfig({ DATABASE_URL: 'postgres://db/news', MIGRATE_ON_START: 'true', SEED_ON_START: 'true' })
  t.equal(server.migrateOnStart, true)
  t.equal(server.seedOnStart, true)
  const mixed = loadConfig({ DATABASE_URL: 'postgres://db/news', MIGRATE_ON_START: 'true', SEED_ON_START: 'auto' })
  t.equal(mixed.migrateOnStart, true)
  t.equal(mixed.seedOnStart, false)
  const auto = loadConfig({ MIGRATE_ON_START: 'auto', SEED_ON_START: 'auto' })
  t.equal(auto.migrateOnStart, true)
  t.equal(auto.seedOnStart, true)
})

t.test('a bad value throws a ConfigError naming the variable', async (t) => {
  const cases: [ConfigVariable, string][] = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', 'true'],
    ['PORT', ' '],
    ['PORT', '0x50'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_POOL_MAX', '0'], // read with DATABASE_URL only (set below)
    ['MIGRATE_ON_START', 'yes'],
    ['SEED_ON_START', '1'],
    ['BODY_LIMIT', '1'],
    ['REQUEST_TIMEOUT_MS', '600001'],
  ]
  for (const [variable, value] of cases) {
    const env = { DATABASE_URL: variable === 'DATABASE_POOL_MAX' ? 'postgres://db/news' : '', [variable]: value }
    let error: unknown
    try {
      loadConfig(env)
    } catch (err) {
      error = err
    }
    t.type(error, ConfigError, `${variable}=${value} throws a ConfigError`)
    if (!(error instanceof ConfigError)) continue
    t.equal(error.variable, variable, `${variable}=${value}: .variable`)
    t.equal(error.name, 'ConfigError')
    t.match(error.message, variable, `${variable}=${value}: the message names the variable`)
    t.notMatch(error.message, /\n/, `${variable}=${value}: the message is one line`)
  }
})

t.test('the first bad variable is reported even when others are valid', async (t) => {
  t.throws(() => loadConfig({ PORT: '8080', BODY_LIMIT: '1' }), { name: 'ConfigError', variable: 'BODY_LIMIT' })
})

t.test('every variable is documented', async (t) => {
  for (const file of ['.env.example', 'README.md']) {
    let text: string
    try {
      text = await readFile(new URL(file, repoRoot), 'utf8')
    } catch (err) {
      t.fail(`${file} is missing at the repository root (${(err as Error).message})`)
      continue
    }
    for (const name of configVariableNames) {
      // .env.example assigns each variable (possibly commented out); the README names it.
      const pattern = file === '.env.example' ? new RegExp(`^#?\\s*${name}=`, 'm') : new RegExp(`\\b${name}\\b`)
      t.match(text, pattern, `${file} documents ${name}`)
    }
  }
})

t.test('TRUST_PROXY: off, a hop count, proxy addresses, or all', async (t) => {
  const read = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy
  t.equal(read('false'), false)
  t.equal(read('true'), true)
  t.equal(read('1'), 1)
  t.equal(read('2'), 2)
  t.same(read('10.0.0.1'), ['10.0.0.1'])
  t.same(read('10.0.0.0/8, 192.168.1.5,::1,fd00::/8'), ['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8'])
  for (const bad of ['yes', '0', '11', 'proxy.example', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/1', '10.0.0.1,']) {
    t.throws(() => read(bad), { name: 'ConfigError', variable: 'TRUST_PROXY' }, bad)
  }
})

t.test('OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on, under OTEL_SERVICE_NAME', async (t) => {
  t.equal(loadConfig({}).tracing, undefined, 'off by default')
  t.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing, undefined, 'empty is unset')
  t.equal(loadTracingConfig({ OTEL_SERVICE_NAME: 'x' }), undefined, 'the service name alone does not')
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }
  t.same(loadConfig(on).tracing, { endpoint: 'http://collector:4318', serviceName: 'newsdesk' })
  t.same(loadTracingConfig({ ...on, OTEL_SERVICE_NAME: 'newsdesk-eu' }), {
    endpoint: 'http://collector:4318',
    serviceName: 'newsdesk-eu',
  })
  for (const bad of ['collector:4318', 'grpc://collector:4317', 'http://']) {
    t.throws(
      () => loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: bad }),
      { name: 'ConfigError', variable: 'OTEL_EXPORTER_OTLP_ENDPOINT' },
      bad,
    )
  }
})

t.test('TAGS_CREATE_ON_WRITE', async (t) => {
  t.equal(loadConfig({}).tagsCreateOnWrite, true)
  t.equal(loadConfig({ TAGS_CREATE_ON_WRITE: 'false' }).tagsCreateOnWrite, false)
  t.throws(() => loadConfig({ TAGS_CREATE_ON_WRITE: 'no' }), { name: 'ConfigError', variable: 'TAGS_CREATE_ON_WRITE' })
})

t.test('EMBEDDED_WASM_TIER_UP: false unless set; checked like every variable', async (t) => {
  const tierUp = (env: NodeJS.ProcessEnv) => (loadConfig(env).database as { wasmTierUp?: boolean }).wasmTierUp
  t.equal(tierUp({}), false)
  t.equal(tierUp({ EMBEDDED_WASM_TIER_UP: 'true' }), true)
  t.throws(() => loadConfig({ EMBEDDED_WASM_TIER_UP: 'yes' }), {
    name: 'ConfigError',
    variable: 'EMBEDDED_WASM_TIER_UP',
  })
})

t.test('media: a folder beside the embedded database by default, or an S3 bucket', async (t) => {
  const defaults = loadConfig({})
  t.same(defaults.media.storage, { kind: 'fs', dir: '.data/media' }, 'beside ./.data/pglite')
  t.equal(defaults.media.maxBytes, 26214400)
  t.equal(defaults.media.maxPixels, 100000000)
  t.equal(defaults.media.uploadMax, 30)
  t.equal(defaults.media.publicUrl, undefined)
  t.same(loadConfig({ DATA_DIR: '/srv/newsdesk/db' }).media.storage, { kind: 'fs', dir: '/srv/newsdesk/media' })
  t.same(loadConfig({ DATA_DIR: 'memory://' }).media.storage, { kind: 'fs', dir: './.data/media' })
  t.same(loadConfig({ DATABASE_URL: 'postgres://db/news' }).media.storage, { kind: 'fs', dir: './.data/media' })
  t.same(loadConfig({ MEDIA_DIR: '/var/media' }).media.storage, { kind: 'fs', dir: '/var/media' })
  t.throws(() => loadConfig({ MEDIA_STORAGE: 's3' }), { name: 'ConfigError', variable: 'S3_BUCKET' })
  t.match(loadConfig({ MEDIA_STORAGE: 's3', S3_BUCKET: 'pictures', S3_ENDPOINT: 'http://127.0.0.1:9000' }).media, {
    storage: { kind: 's3', bucket: 'pictures', endpoint: 'http://127.0.0.1:9000' },
  })
  t.equal(loadConfig({ MEDIA_PUBLIC_URL: 'https://img.example.com/' }).media.publicUrl, 'https://img.example.com')
  for (const [variable, value] of [
    ['MEDIA_STORAGE', 'ftp'],
    ['MEDIA_MAX_BYTES', '10'],
    ['MEDIA_MAX_PIXELS', '0'],
    ['MEDIA_UPLOAD_MAX', '0'],
    ['MEDIA_PUBLIC_URL', 'img.example.com'],
  ] as const) {
    t.throws(() => loadConfig({ [variable]: value }), { name: 'ConfigError', variable }, `${variable}=${value}`)
  }
})

t.test('PUBLIC_ARTICLE_URL, PUBLIC_SECTION_URL, PUBLIC_PERSON_URL: templates of public URLs', async (t) => {
  t.same(loadConfig({}).publicUrls, {}, 'unset: no templates')
  const templates = {
    PUBLIC_ARTICLE_URL: 'https://www.example.com/news/{section}/{yyyy}/{mm}/{dd}/{slug}-{id}',
    PUBLIC_SECTION_URL: 'https://www.example.com/{path}?s={slug}&id={id}',
    PUBLIC_PERSON_URL: 'http://localhost:8080/people/{slug}/{id}',
  }
  t.same(loadConfig(templates).publicUrls, {
    article: templates.PUBLIC_ARTICLE_URL,
    section: templates.PUBLIC_SECTION_URL,
    person: templates.PUBLIC_PERSON_URL,
  })
  const cases: [ConfigVariable, string, RegExp][] = [
    ['PUBLIC_ARTICLE_URL', 'https://www.example.com/{title}', /only the placeholders \{slug\}/],
    ['PUBLIC_ARTICLE_URL', 'https://www.example.com/{path}', /only the placeholders/],
    ['PUBLIC_SECTION_URL', 'https://www.example.com/{yyyy}/{path}', /only the placeholders \{path\}, \{slug\}, \{id\}/],
    ['PUBLIC_PERSON_URL', 'https://www.example.com/{section}', /only the placeholders \{slug\}, \{id\}/],
    ['PUBLIC_ARTICLE_URL', '/news/{slug}', /absolute http or https URL/],
    ['PUBLIC_SECTION_URL', 'www.example.com/{path}', /absolute http or https URL/],
    ['PUBLIC_PERSON_URL', 'ftp://www.example.com/{slug}', /absolute http or https URL/],
    ['PUBLIC_ARTICLE_URL', 'https://user:secret@www.example.com/{slug}', /without credentials/],
    ['PUBLIC_PERSON_URL', 'https://user@www.example.com/{slug}', /without credentials/],
    ['PUBLIC_SECTION_URL', 'https://{slug}.example.com/', /with a host/],
    ['PUBLIC_ARTICLE_URL', 'https:///{slug}', /with a host/],
  ]
  for (const [variable, value, expected] of cases) {
    let error: unknown
    try {
      loadConfig({ [variable]: value })
    } catch (err) {
      error = err
    }
    t.type(error, ConfigError, `${variable}=${value} throws a ConfigError`)
    if (!(error instanceof ConfigError)) continue
    t.equal(error.variable, variable, `${variable}=${value}: .variable`)
    t.match(error.message, new RegExp(`^Invalid configuration: ${variable}=`), `${variable}=${value}: names it`)
    t.match(error.message, expected, `${variable}=${value}: says what is expected`)
    t.notMatch(error.message, /\n/, `${variable}=${value}: one line`)
  }
})
