// tap's coverage-map (package.json): test files whose coverage is not collected. Each starts
// processes of the project through tsx (the server, the scripts, the benchmark, the db script, the
// server killed mid-delivery and restarted, db:backup and db:restore, db:export-to, the server exporting traces); tap records those processes' coverage without source
// maps, and merged in, it replaced the true figures of every file they load (a full run read 100 %
// of 111 "statements": one per file). Their processes inherit the switch this sets, so nothing
// they start is recorded either.
const spawning = [
  'test/server.test.ts',
  'test/scripts.test.ts',
  'test/scripts.backup.test.ts',
  'test/scripts.export.test.ts',
  'test/bench.test.ts',
  'test/seed/synthetic.test.ts',
  'test/webhooks-crash.test.ts',
  'test/observability/tracing-export.test.ts',
]

export default function coverageMap(testFile) {
  const file = testFile.replaceAll('\\', '/')
  return spawning.some((name) => file.endsWith(name)) ? null : []
}
