import { watch, type FSWatcher } from 'node:fs'
import { access } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import { flowsWatchEnabled, type Config } from '../config.ts'
import type { Flow } from '../engine/flow.ts'
import type { FlowRegistry } from '../engine/flow-registry.ts'
import { checkFlow, type CheckSettings, type Finding } from './check-flows.ts'
import { checkVoiceFlow } from './check-voice-flow.ts'
import { FlowFileError } from './flow-file-error.ts'
import { loadFlowFile, loadFlowModule } from './load-flows.ts'

export interface WatchFlowsOptions {
  /** The folder the registry's flows were loaded from. */
  readonly directory: string
  readonly registry: FlowRegistry
  readonly logger: Logger
  /** Settings of the checks a changed flow must pass before it goes live. */
  readonly settings: CheckSettings
  /**
   * Milliseconds a replaced revision stays available after a session last used it. Use at least
   * the session TTL, so every session that started on it can finish on it.
   */
  readonly keepRevisionsForMs: number
  /** Milliseconds without a further change before a file is reloaded; editors save in steps. */
  readonly debounceMs?: number
}

export interface FlowWatcher {
  /** Resolves when every change seen so far has been reloaded or rejected. */
  idle(): Promise<void>
  close(): void
}

const flowFilePattern = /\.flow\.(ya?ml|json|ts)$/
const tasksFilePattern = /\.tasks\.ts$/

/**
 * Watches the flows folder and swaps an edited flow into the running registry once it loads and
 * passes the flow checks. A flow that fails keeps serving its previous version, and the failure
 * is logged with the file and the reason. An edited tasks module reloads the flow that uses it.
 * New flow files and changes to routes.yaml take effect at the next start.
 */
export function watchFlows(options: WatchFlowsOptions): FlowWatcher {
  const { directory, logger } = options
  const debounceMs = options.debounceMs ?? 150
  const flowIdsByFile = loadedFlowFiles(options.registry)
  const pending = new Map<string, NodeJS.Timeout>()
  let reloads = Promise.resolve()
  let reloadCount = 0

  const reload = async (file: string) => {
    reloadCount += 1
    await reloadFlow(file, flowIdsByFile.get(file), String(reloadCount), options)
  }

  const schedule = (file: string) => {
    clearTimeout(pending.get(file))
    const timer = setTimeout(() => {
      pending.delete(file)
      reloads = reloads.then(() => reload(file))
    }, debounceMs)
    pending.set(file, timer)
  }

  const watcher: FSWatcher = watch(directory, (_event, name) => {
    if (name === null) return
    const file = changedFlowFile(resolve(directory, name), flowIdsByFile)
    if (file !== undefined) schedule(file)
    else if (name === 'routes.yaml')
      logger.warn({ file: join(directory, name) }, 'routes changed; restart to apply them')
  })
  watcher.on('error', (error) => logger.error({ err: error, directory }, 'flow watcher failed'))
  logger.info({ directory, flows: [...flowIdsByFile.values()] }, 'watching flows for changes')

  return {
    async idle() {
      while (pending.size > 0) await new Promise((done) => setTimeout(done, debounceMs))
      await reloads
    },
    close() {
      watcher.close()
      for (const timer of pending.values()) clearTimeout(timer)
      pending.clear()
    },
  }
}

/**
 * Starts watching FLOWS_DIR when FLOWS_WATCH is on (by default outside production), keeping
 * replaced revisions for the session TTL after their last use. Returns undefined when it is off.
 */
export function watchConfiguredFlows(
  config: Config,
  registry: FlowRegistry,
  logger: Logger,
): FlowWatcher | undefined {
  if (!flowsWatchEnabled(config)) return undefined
  return watchFlows({
    directory: config.FLOWS_DIR,
    registry,
    logger,
    settings: {
      screenLimit: config.USSD_SCREEN_LIMIT,
      defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
    },
    keepRevisionsForMs: config.SESSION_TTL_SECONDS * 1000,
  })
}

/** Absolute path of each loaded flow's file, to its flow id. */
function loadedFlowFiles(registry: FlowRegistry): Map<string, string> {
  return new Map(registry.all().map((flow) => [resolve(flow.source), flow.id]))
}

/** Returns the flow file a change concerns: the file itself, or the flow of a tasks module. */
function changedFlowFile(path: string, flowIdsByFile: Map<string, string>): string | undefined {
  if (flowFilePattern.test(path)) return path
  if (!tasksFilePattern.test(path)) return undefined

  const stem = path.replace(tasksFilePattern, '.flow.')
  return [...flowIdsByFile.keys()].find(
    (file) => file.startsWith(stem) && !file.endsWith('.flow.ts'),
  )
}

async function reloadFlow(
  file: string,
  loadedId: string | undefined,
  reloadToken: string,
  options: WatchFlowsOptions,
): Promise<void> {
  const { logger, registry } = options
  if (!(await exists(file))) {
    if (loadedId !== undefined)
      logger.warn({ file, flow: loadedId }, 'flow file removed; the loaded version keeps serving')
    return
  }
  if (loadedId === undefined) {
    logger.warn({ file }, 'new flow file; restart with a route in routes.yaml to load it')
    return
  }

  let flow: Flow
  let warnings: Finding[]
  try {
    flow = file.endsWith('.flow.ts')
      ? await loadFlowModule(file, { reloadToken })
      : await loadFlowFile(file, { reloadToken })
    warnings = checkReloadedFlow(flow, loadedId, registry, options.settings)
  } catch (error) {
    // A FlowFileError names the file, the key and the fix. Any other error, such as a syntax
    // error in a tasks module, is logged with its stack too.
    const known = error instanceof FlowFileError
    logger.error(
      { file, flow: loadedId, reason: (error as Error).message, err: known ? undefined : error },
      'flow reload failed; the previous version keeps serving',
    )
    return
  }

  const previous = registry.get(loadedId)
  registry.replace(flow, options.keepRevisionsForMs)
  logger.info(
    {
      file,
      flow: flow.id,
      revision: flow.revision,
      previousRevision: previous?.revision,
      warnings: warnings.map((finding) => finding.message),
    },
    'flow reloaded',
  )
}

/**
 * Raises a FlowFileError for what `flows:check` and the voice routes reject, and returns the
 * check's warnings.
 */
function checkReloadedFlow(
  flow: Flow,
  loadedId: string,
  registry: FlowRegistry,
  settings: CheckSettings,
): Finding[] {
  if (flow.id !== loadedId) {
    throw new FlowFileError(
      flow.source,
      'id',
      `changed from "${loadedId}" to "${flow.id}". Put the id back, or restart to rename a flow.`,
    )
  }

  const findings = checkFlow(flow, settings)
  const errors = findings.filter((finding) => finding.level === 'error')
  if (errors.length > 0) {
    const details = errors.map((finding) =>
      [finding.state, finding.language && `[${finding.language}]`, finding.message]
        .filter(Boolean)
        .join(' '),
    )
    throw new FlowFileError(flow.source, '', `fails the flow check:\n  ${details.join('\n  ')}`)
  }

  for (const [number, flowId] of registry.voiceNumbers()) {
    if (flowId === flow.id) checkVoiceFlow(flow, number)
  }
  return findings.filter((finding) => finding.level === 'warning')
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
