import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url))

/** Splits the Markdown report into its `## ` sections, keyed by heading. */
function sections(report: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const part of report.split(/^## /m).slice(1)) {
    const newline = part.indexOf('\n')
    found.set(part.slice(0, newline), part.slice(newline + 1))
  }
  return found
}

/** Reads the hops and errors columns of each server row in a section's table. */
function serverRows(section: string): Map<string, { hops: number; errors: string }> {
  const rows = new Map<string, { hops: number; errors: string }>()
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const [, server, hops] = cells
    if (server === undefined || !/^(switchboard|floor|peer)$/.test(server)) continue
    rows.set(server, { hops: Number(hops?.replaceAll(',', '')), errors: cells.at(-2) ?? '' })
  }
  return rows
}

describe('benchmark smoke run', () => {
  it('prints tables, ratios and targets', { timeout: 90_000 }, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], {
      cwd: repositoryRoot,
      timeout: 80_000,
      maxBuffer: 4 * 1024 * 1024,
    })
    const report = sections(stdout)
    const compared = [...report].find(([heading]) => heading.startsWith('Servers compared'))
    const paced = [...report].find(([heading]) => heading.startsWith('Paced'))

    expect(compared).toBeDefined()
    expect(paced).toBeDefined()
    for (const [, section] of [compared!, paced!]) {
      const rows = serverRows(section)
      expect([...rows.keys()]).toEqual(['switchboard', 'floor', 'peer'])
      for (const [server, row] of rows) {
        expect(row.hops, `${server} hops`).toBeGreaterThan(0)
        expect(row.errors, `${server} errors`).toBe('0')
      }
    }

    expect(stdout).toMatch(
      /^ratio switchboard\/floor hops\/s: \d+\.\d\d \(target >= 0\.6: (met|missed)\)$/m,
    )
    expect(stdout).toMatch(
      /^ratio switchboard\/peer hops\/s: \d+\.\d\d \(target >= 3: (met|missed)\)$/m,
    )
    expect(stdout).toMatch(/^Redis memory per live switchboard session: \d+ B /m)
    expect(stdout).toMatch(/^outbox: not measured yet/m)
  })
})
