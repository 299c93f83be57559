import { access, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import type { Flow } from '../engine/flow.ts'
import { flowDiagram } from '../flows/flow-diagram.ts'
import { FlowFileError } from '../flows/flow-file-error.ts'
import { loadFlowFile, loadFlowModule, loadFlows } from '../flows/load-flows.ts'

const usage = `Usage: npm run flows:diagram -- <flow> [--language <code>] [--out <file.mmd>]

Writes a Mermaid state diagram of a flow.
  <flow>             a flow id in FLOWS_DIR (machines/ by default), or the path of a flow file
  --language, -l     language of the labels, such as sw (default: the flow's default language)
  --out, -o          file to write the diagram to (default: print it)`

const flowExtensions = ['.flow.yaml', '.flow.yml', '.flow.json', '.flow.ts']

/** Writes the Mermaid diagram of one flow to a file or to standard output. */
async function main(): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        language: { type: 'string', short: 'l' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`)
    return 2
  }

  const { values, positionals } = parsed
  if (values.help === true) {
    console.log(usage)
    return 0
  }
  const [name, ...extra] = positionals
  if (name === undefined || extra.length > 0) {
    console.error(`Give exactly one flow, by id or file path.\n\n${usage}`)
    return 2
  }

  let diagram: string
  try {
    const flow = await findFlow(name, loadConfig().FLOWS_DIR)
    diagram = flowDiagram(flow, { language: values.language })
  } catch (error) {
    if (error instanceof FlowFileError) {
      console.error(`error   ${error.message}`)
      return 1
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(
        `error   ${name} is not a flow file or a flow in a folder that exists.\n\n${usage}`,
      )
      return 1
    }
    throw error
  }

  if (values.out === undefined) {
    process.stdout.write(diagram)
    return 0
  }
  await writeFile(values.out, diagram)
  console.error(`Wrote the diagram of ${name} to ${values.out}.`)
  return 0
}

/**
 * Loads the flow that `name` points at: a flow file path, the file `<name>.flow.*` in `directory`,
 * or else the flow with id `name` among all the flows in `directory`.
 */
async function findFlow(name: string, directory: string): Promise<Flow> {
  const candidates = flowExtensions.some((extension) => name.endsWith(extension))
    ? [name]
    : flowExtensions.map((extension) => join(directory, `${name}${extension}`))

  for (const path of candidates) {
    if (!(await exists(path))) continue
    return path.endsWith('.ts') ? loadFlowModule(path) : loadFlowFile(path)
  }

  const { registry } = await loadFlows(directory)
  const flow = registry.get(name)
  if (flow === undefined) {
    const known = registry
      .all()
      .map((each) => each.id)
      .join(', ')
    throw new FlowFileError(
      directory,
      '',
      `has no flow "${name}". Use one of: ${known || 'none'}, or give the path of a flow file.`,
    )
  }
  return flow
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

// A reader such as `head` may close the pipe before the end, which is no failure of the command.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit()
})

process.exitCode = await main()
