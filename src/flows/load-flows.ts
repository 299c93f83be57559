import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { defaultCountryCode } from '../config.ts'
import type { Flow, Task } from '../engine/flow.ts'
import { FlowRegistry } from '../engine/flow-registry.ts'
import { compileFlow } from './compile-flow.ts'
import { checkMachine } from './check-machine.ts'
import { explainMachineError } from './checks/explain-machine-error.ts'
import { explainSchemaIssue } from './checks/explain-schema-issue.ts'
import { checkVoiceFlow } from './check-voice-flow.ts'
import { complianceKeywords } from '../messaging/inbound/keywords.ts'
import { FlowFileError } from './flow-file-error.ts'
import { flowFileSchema } from './flow-schema.ts'

const smsLocalizedText = z.union([
  z.string().min(1),
  z.record(
    z.string().regex(/^[a-z]{2,3}$/, 'a language code such as "en" or "sw"'),
    z.string().min(1),
  ),
])

/** Handling of an SMS to one short code that answers no open question. */
const smsRouteSchema = z.strictObject({
  /** First word of a message (any case) to the flow it starts over SMS. */
  keywords: z.record(z.string(), z.string()).default({}),
  /** Reply to HELP sent to this short code, per language. */
  help: smsLocalizedText.optional(),
})

const routesSchema = z.strictObject({
  ussd: z
    .record(z.string().regex(/^\*[\d*]+#$/, 'a service code such as "*384*123#"'), z.string())
    .default({}),
  voice: z.record(z.string(), z.string()).default({}),
  // Keys are checked in checkSmsKeywords, whose messages name the key and the fix.
  sms: z.record(z.string(), smsRouteSchema).default({}),
})

export type Routes = z.infer<typeof routesSchema>

export interface LoadFlowsOptions {
  /** Country code for route numbers written with the local trunk prefix (`+2540711...`). */
  readonly defaultCountryCode?: string
}

/**
 * Loads every flow in `directory` and the routes in its `routes.yaml`:
 * `<id>.flow.yaml` (or `.yml`, `.json`) written by program teams, with its tasks in an optional
 * `<id>.tasks.ts`, and `<id>.flow.ts` machines written by developers.
 */
export async function loadFlows(
  directory: string,
  options: LoadFlowsOptions = {},
): Promise<{ registry: FlowRegistry; routes: Routes }> {
  const registry = new FlowRegistry()
  const names = (await readdir(directory)).sort()

  for (const name of names) {
    const path = join(directory, name)
    if (/\.flow\.(ya?ml|json)$/.test(name)) registry.add(await loadFlowFile(path))
    else if (/\.flow\.ts$/.test(name)) registry.add(await loadFlowModule(path))
  }

  const routes = await loadRoutes(join(directory, 'routes.yaml'))
  for (const [serviceCode, flowId] of Object.entries(routes.ussd)) {
    try {
      registry.routeServiceCode(serviceCode, flowId)
    } catch (error) {
      const path = displayPath(join(directory, 'routes.yaml'))
      throw new FlowFileError(path, '', (error as Error).message)
    }
  }
  routeVoiceNumbers(registry, routes, join(directory, 'routes.yaml'), options)
  checkSmsKeywords(registry, routes, join(directory, 'routes.yaml'))
  return { registry, routes }
}

// STOP, START and HELP are handled before keyword routes, so a route on one would never run.
const reservedSmsWords = new Set(Object.values(complianceKeywords).flat())

function checkSmsKeywords(registry: FlowRegistry, routes: Routes, path: string): void {
  for (const [shortCode, route] of Object.entries(routes.sms)) {
    if (!/^\+?\d{3,15}$/.test(shortCode)) {
      throw new FlowFileError(
        displayPath(path),
        `sms."${shortCode}"`,
        'is not a short code or number. Write its digits, such as "40123".',
      )
    }

    const seen = new Set<string>()
    for (const [keyword, flowId] of Object.entries(route.keywords)) {
      const where = `sms."${shortCode}".keywords.${keyword}`
      const word = keyword.toUpperCase()
      const fail = (reason: string) => {
        throw new FlowFileError(displayPath(path), where, reason)
      }

      if (!/^[A-Z0-9]+$/.test(word)) {
        fail('is not one word of letters and digits. Use a single word, such as BOOK.')
      }
      if (reservedSmsWords.has(word)) {
        fail(`is a compliance keyword (STOP, START, HELP and the like), so no flow can use it.`)
      }
      if (seen.has(word)) fail('is listed twice; keywords are compared in upper case.')
      seen.add(word)
      if (registry.get(flowId) === undefined) {
        const loaded = registry.all().map((flow) => flow.id)
        fail(`points at flow "${flowId}", which is not loaded. Loaded flows: ${loaded.join(', ')}.`)
      }
    }
  }
}

function routeVoiceNumbers(
  registry: FlowRegistry,
  routes: Routes,
  path: string,
  options: LoadFlowsOptions,
): void {
  for (const [number, flowId] of Object.entries(routes.voice)) {
    if (!/^\+[\d -]+$/.test(number)) {
      throw new FlowFileError(
        displayPath(path),
        `voice."${number}"`,
        'is not an international phone number. Write it with its country code, such as "+254711000000".',
      )
    }
    try {
      registry.routeVoiceNumber(number, flowId, options.defaultCountryCode ?? defaultCountryCode)
    } catch (error) {
      throw new FlowFileError(displayPath(path), `voice."${number}"`, (error as Error).message)
    }

    const flow = registry.get(flowId)
    if (flow !== undefined) checkVoiceFlow(flow, number)
  }
}

export interface LoadFlowFileOptions {
  /**
   * Added to the URL of the tasks or flow module, so a reload imports the edited file instead of
   * the copy Node cached. Modules that file imports stay cached.
   */
  readonly reloadToken?: string
}

/** Loads one YAML or JSON flow file with its tasks module, if there is one. */
export async function loadFlowFile(path: string, options: LoadFlowFileOptions = {}): Promise<Flow> {
  const source = displayPath(path)
  const raw = await readFile(path, 'utf8')

  let document: unknown
  try {
    document = parseYaml(raw)
  } catch (error) {
    throw new FlowFileError(source, '', `is not valid YAML or JSON: ${(error as Error).message}`)
  }

  const parsed = flowFileSchema.safeParse(document)
  if (!parsed.success) {
    const { path, reason } = explainSchemaIssue(parsed.error.issues, flowFileSchema, document)
    throw new FlowFileError(source, formatPath(path), reason)
  }

  const tasksPath = path.replace(/\.flow\.(ya?ml|json)$/, '.tasks.ts')
  const tasks = await loadTasks(tasksPath, options.reloadToken)
  const flow = compileFlow(parsed.data, source, revisionOf(raw), tasks)
  checkMachine(flow)
  return flow
}

/** Loads one TypeScript flow module, whose default export is made with `defineFlow()`. */
export async function loadFlowModule(
  path: string,
  options: LoadFlowFileOptions = {},
): Promise<Flow> {
  let module: { default?: Flow }
  try {
    module = (await import(moduleUrl(path, options.reloadToken))) as typeof module
  } catch (error) {
    const { path: where, reason } = explainMachineError(error)
    throw new FlowFileError(displayPath(path), where, reason)
  }

  const flow = module.default
  if (flow === undefined || typeof flow.id !== 'string') {
    throw new FlowFileError(
      displayPath(path),
      '',
      'must export default a flow made with defineFlow().',
    )
  }
  checkMachine(flow)
  return flow
}

async function loadTasks(path: string, reloadToken?: string): Promise<Record<string, Task>> {
  let module: { default?: Record<string, Task>; tasks?: Record<string, Task> }
  try {
    module = (await import(moduleUrl(path, reloadToken))) as typeof module
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String(error).includes(path)
    )
      return {}
    throw error
  }
  return module.tasks ?? module.default ?? {}
}

// Node caches an ES module by its URL, query included. Under tsx 4.23 a .ts module outside a
// package with "type": "module" loads as CommonJS, whose cache ignores the query.
function moduleUrl(path: string, reloadToken: string | undefined): string {
  const url = pathToFileURL(path)
  if (reloadToken !== undefined) url.searchParams.set('reload', reloadToken)
  return url.href
}

async function loadRoutes(path: string): Promise<Routes> {
  let raw: string
  try {
    raw = await readFile(path, 'utf8')
  } catch {
    return { ussd: {}, voice: {}, sms: {} }
  }

  const document: unknown = parseYaml(raw)
  const parsed = routesSchema.safeParse(document)
  if (!parsed.success) {
    const { path: where, reason } = explainSchemaIssue(parsed.error.issues, routesSchema, document)
    throw new FlowFileError(displayPath(path), formatPath(where), reason)
  }
  return parsed.data
}

function revisionOf(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 12)
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('')
}

function displayPath(path: string): string {
  return relative(process.cwd(), path) || path
}
