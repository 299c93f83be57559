// Entry point of `npm run bench`. docs/benchmarks.md describes the method.
import { writeFile } from 'node:fs/promises'
import { runBenchmark } from './benchmark.ts'
import { parseBenchOptions, usage } from './options.ts'
import { formatReport } from './report.ts'

const options = parseBenchOptions(process.argv.slice(2))
if (options === 'help') {
  console.log(usage)
} else {
  const results = await runBenchmark(options, (line) => console.error(line))
  console.log(formatReport(results))
  if (options.json !== undefined) await writeFile(options.json, JSON.stringify(results, null, 2))
}
