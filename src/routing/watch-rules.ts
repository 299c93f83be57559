import { watch, type FSWatcher } from 'node:fs'
import type { Logger } from 'pino'
import { loadRuleBook, rulesFilePattern } from './load-rules.ts'
import type { RuleBook } from './rule-book.ts'
import type { RuleBookSource } from './rule-book-source.ts'
import { RulesFileError } from './rules-file-error.ts'

export interface RulesWatcher extends RuleBookSource {
  /** Resolves when every change seen so far has been loaded or rejected. */
  idle(): Promise<void>
  close(): void
}

/**
 * Serves `initial` and reloads every rules file in `directory` when one changes. The new rules
 * apply only when all files load, because short codes are checked across files; otherwise the
 * rules in force stay and the error is logged with the file, the rule and the fix.
 */
export function watchRules(options: {
  readonly directory: string
  readonly initial: RuleBook
  readonly logger: Logger
  /** Milliseconds without a further change before reloading; editors save in steps. */
  readonly debounceMs?: number
}): RulesWatcher {
  const { directory, logger } = options
  const debounceMs = options.debounceMs ?? 150
  let book = options.initial
  let timer: NodeJS.Timeout | undefined
  let reloads = Promise.resolve()

  const reload = async () => {
    try {
      book = await loadRuleBook(directory)
      const programs = book.programs.map((program) => program.program)
      logger.info({ directory, programs }, 'rules reloaded')
    } catch (error) {
      const known = error instanceof RulesFileError
      logger.error(
        { directory, reason: (error as Error).message, err: known ? undefined : error },
        'rules reload failed; the previous rules stay in force',
      )
    }
  }

  const watcher: FSWatcher = watch(directory, (_event, name) => {
    if (name === null || !rulesFilePattern.test(name)) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      reloads = reloads.then(reload)
    }, debounceMs)
  })
  watcher.on('error', (error) => logger.error({ err: error, directory }, 'rules watcher failed'))
  logger.info({ directory }, 'watching rules files for changes')

  return {
    current: () => book,
    async idle() {
      while (timer !== undefined) await new Promise((done) => setTimeout(done, debounceMs))
      await reloads
    },
    close() {
      watcher.close()
      clearTimeout(timer)
      timer = undefined
    },
  }
}
