import { transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate'
import type { Logger } from 'pino'
import { fillTemplate } from '../text/template.ts'
import type { Flow, LocalizedText, StateMeta } from './flow.ts'
import type { Effect } from './effects.ts'
import { localize } from './localize.ts'

/** Raised when a flow cannot go on: a missing task, a task error with no handler, a loop. */
export class FlowError extends Error {
  override readonly name = 'FlowError'
}

/** The event a flow receives when the subscriber answers a screen. */
export interface AnswerEvent {
  readonly type: 'ANSWER'
  /** The option id, the list item, or the checked typed value. */
  readonly value: unknown
}

const maxTaskSteps = 20

type FlowEvent = { type: string; [key: string]: unknown }

/** A delayed event the flow scheduled (an XState `after`), to be kept in the store. */
export interface ScheduledEvent {
  readonly event: FlowEvent
  readonly delayMs: number
}

/** Handling of a task that outlives the hop's budget: fail at once, or go on in the background. */
export type DeadlinePolicy = 'fail' | 'continue'

/**
 * Raised when a task is still running at the hop's deadline and the policy is `continue`. The
 * hop answers without it; `pending` settles with the event the task produces, and
 * `FlowCursor.resume` applies it later.
 */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError'

  constructor(
    readonly task: string,
    readonly pending: Promise<FlowEvent>,
  ) {
    super(`Task "${task}" did not finish within the hop's time budget.`)
  }
}

/**
 * A flow session in the middle of a hop: the XState snapshot plus the navigation the engine
 * keeps around it. All changes happen on this object and are saved at the end of the hop.
 */
export class FlowCursor {
  snapshot: AnyMachineSnapshot
  history: unknown[]
  pages: number[]
  shown: number
  error: LocalizedText | undefined
  readonly effects: Effect[] = []
  readonly timers: ScheduledEvent[] = []
  /** Milliseconds a task may run when it carries on past the hop's deadline. */
  taskTimeoutMs = 60_000
  private steps = 0

  constructor(
    readonly flow: Flow,
    snapshot: AnyMachineSnapshot,
    navigation: { history: readonly unknown[]; pages: readonly number[]; shown: number },
    readonly session: { key: string; msisdn: string; version: number },
  ) {
    this.snapshot = snapshot
    this.history = [...navigation.history]
    this.pages = navigation.pages.length > 0 ? [...navigation.pages] : [0]
    this.shown = navigation.shown
  }

  get machine(): AnyStateMachine {
    return this.flow.machine
  }

  get context(): Record<string, unknown> {
    return this.snapshot.context as Record<string, unknown>
  }

  get language(): string {
    const language = this.context['language']
    return typeof language === 'string' ? language : this.flow.defaultLanguage
  }

  get done(): boolean {
    return this.snapshot.status === 'done'
  }

  /** The meta of the active leaf state. */
  meta(): StateMeta {
    return leafMeta(this.machine, this.snapshot.value)
  }

  text(text: LocalizedText, extra?: Record<string, unknown>): string {
    const values = extra === undefined ? this.context : { ...this.context, ...extra }
    return fillTemplate(localize(text, this.language, this.flow.defaultLanguage), values)
  }

  /** Sends an event; returns false when the current state does not accept it. */
  send(event: { type: string; [key: string]: unknown }): boolean {
    const [next, actions] = transition(this.machine, this.snapshot, event)
    if (next === this.snapshot) return false

    this.snapshot = next
    this.steps += 1
    this.collectEffects(actions)
    return true
  }

  /** Takes the effects and timers of actions from outside `send`, such as the initial state's. */
  absorb(actions: readonly { type: string; params?: unknown }[]): void {
    this.collectEffects(actions)
  }

  /** Moves to the state given by `value`, keeping the context, without running any action. */
  jump(value: unknown): void {
    this.snapshot = this.machine.resolveState({ value: value as never, context: this.context })
  }

  /**
   * Runs the tasks of the states entered until the flow waits for the subscriber or ends. A task
   * still running at `deadline` becomes a `TASK.ERROR` with reason `timeout` under the `fail`
   * policy, and raises `DeadlineExceededError` under `continue`.
   */
  async settle(deadline: number, logger: Logger, policy: DeadlinePolicy = 'fail'): Promise<void> {
    for (let count = 0; !this.done; count += 1) {
      const task = this.meta().task
      if (task === undefined) return
      if (count >= maxTaskSteps) {
        throw new FlowError(`Flow "${this.flow.id}" ran ${maxTaskSteps} tasks in one hop.`)
      }

      if (policy === 'fail') await this.runTask(task.name, deadline, logger)
      else await this.runTaskPastDeadline(task.name, deadline, logger)
    }
  }

  /** Applies the event of a task that outlived its hop, then runs the tasks that follow it. */
  async resume(pending: Promise<FlowEvent>, logger: Logger): Promise<void> {
    const state = JSON.stringify(this.snapshot.value)
    const event = await pending
    if (!this.send(event)) {
      throw new FlowError(`Flow "${this.flow.id}" state ${state} does not handle ${event.type}.`)
    }
    await this.settle(Number.POSITIVE_INFINITY, logger, 'fail')
  }

  private async runTaskPastDeadline(name: string, deadline: number, logger: Logger): Promise<void> {
    const signal = AbortSignal.timeout(this.taskTimeoutMs)
    const pending = this.startTask(name, signal, logger)

    const budget = Math.max(0, deadline - Date.now())
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), budget)
    })
    const event = await Promise.race([pending, expired])
    clearTimeout(timer)

    if (event === undefined) throw new DeadlineExceededError(name, pending)
    this.apply(event, name)
  }

  private async runTask(name: string, deadline: number, logger: Logger): Promise<void> {
    const budget = Math.max(0, deadline - Date.now())
    const signal = AbortSignal.timeout(Math.min(budget, this.taskTimeoutMs))
    this.apply(await this.startTask(name, signal, logger), name)
  }

  /**
   * Runs a task and turns its result into `TASK.DONE` or `TASK.ERROR`. It rejects only when the
   * flow does not provide the task.
   */
  private async startTask(name: string, signal: AbortSignal, logger: Logger): Promise<FlowEvent> {
    const task = this.flow.tasks[name]
    const state = JSON.stringify(this.snapshot.value)
    if (task === undefined) {
      throw new FlowError(
        `Flow "${this.flow.id}" state ${state} names task "${name}", which the flow does not provide.`,
      )
    }

    const idempotencyKey = `${this.session.key}:${this.session.version}:${this.steps}`
    const args = {
      context: this.context,
      msisdn: this.session.msisdn,
      idempotencyKey,
      signal,
      logger,
    }

    try {
      const output = await raceSignal(task(args), signal)
      return { type: 'TASK.DONE', output }
    } catch (error) {
      const reason = signal.aborted ? 'timeout' : 'error'
      logger.warn({ err: error, task: name, reason }, 'flow task failed')
      return { type: 'TASK.ERROR', reason }
    }
  }

  private apply(event: FlowEvent, name: string): void {
    const state = JSON.stringify(this.snapshot.value)
    if (!this.send(event)) {
      throw new FlowError(
        `Flow "${this.flow.id}" state ${state} does not handle ${event.type} from task "${name}".`,
      )
    }
  }

  private collectEffects(actions: readonly { type: string; params?: unknown }[]): void {
    for (const action of actions) {
      if (action.type === 'xstate.raise') this.collectTimer(action.params)
      if (action.type !== 'sms') continue

      const params = (action.params ?? {}) as { text?: LocalizedText; to?: string }
      if (params.text === undefined) continue
      this.effects.push({
        kind: 'sms',
        to: params.to === undefined ? this.session.msisdn : fillTemplate(params.to, this.context),
        text: this.text(params.text),
        idempotencyKey: `${this.session.key}:${this.session.version}:${this.effects.length}`,
        sessionKey: this.session.key,
        flowId: this.flow.id,
      })
    }
  }

  // XState returns each `after` delay as a raise action with a delay. A restored actor would
  // never fire it, so the engine keeps it in the store instead.
  private collectTimer(params: unknown): void {
    const { event, delay } = (params ?? {}) as { event?: FlowEvent; delay?: unknown }
    if (event === undefined || typeof delay !== 'number') return
    this.timers.push({ event, delayMs: delay })
  }
}

/** Finds the meta of the atomic state that `value` names, walking nested states. */
export function leafMeta(machine: AnyStateMachine, value: unknown): StateMeta {
  let node = machine.root
  let current: unknown = value
  while (current !== undefined) {
    const key: string =
      typeof current === 'string' ? current : (Object.keys(current as object)[0] ?? '')
    const child = node.states[key]
    if (child === undefined) return {}
    node = child
    current = typeof current === 'string' ? undefined : (current as Record<string, unknown>)[key]
  }
  return (node.meta ?? {}) as StateMeta
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
