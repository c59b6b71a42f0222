// tap's coverage-map (package.json): which test files count toward coverage. These three start
// the server, the scripts and the benchmark as processes of their own, through tsx: tap records
// those processes' coverage without source maps, and merged with the in-process figures it marks
// lines of src/ as never run that the other tests run (articles.lifecycle.ts read 61 %). They
// test processes end to end; the coverage figures come from the tests that run src/ in process.
const endToEnd = new Set(['test/server.test.ts', 'test/scripts.test.ts', 'test/bench.test.ts'])

export default function coverageMap(testFile) {
  const file = testFile.replaceAll('\\', '/')
  return [...endToEnd].some((e) => file.endsWith(e)) ? null : []
}
