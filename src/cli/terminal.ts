import { createInterface, type Interface } from 'node:readline'

/** The simulator's view of the terminal, so a test or another front end can stand in for it. */
export interface Terminal {
  /** Writes a line to standard output. */
  print(text: string): void
  /** Writes a line to standard error. */
  printError(text: string): void
  /** Shows `prompt` and returns the next line typed, or null once input has ended. */
  readLine(prompt: string): Promise<string | null>
  close(): void
}

/**
 * Creates a terminal on the process's standard streams. Standard input is opened on the first
 * `readLine`, so a run that never reads leaves Ctrl-C to stop the process as usual. Lines that
 * arrive before they are asked for are kept, so input piped in all at once is read in order.
 */
export function createProcessTerminal(): Terminal {
  const interactive = process.stdin.isTTY === true
  let input: { lines: Interface; iterator: AsyncIterator<string> } | undefined

  const openInput = () => {
    const lines = createInterface({
      input: process.stdin,
      output: interactive ? process.stdout : undefined,
      terminal: interactive,
    })
    // Ctrl-C ends input the way Ctrl-D does, because without a listener readline only pauses.
    lines.on('SIGINT', () => lines.close())
    return { lines, iterator: lines[Symbol.asyncIterator]() }
  }

  // Through readline on a terminal, so redrawing the line while editing keeps the prompt.
  const showPrompt = (lines: Interface, prompt: string) => {
    if (!interactive) {
      process.stdout.write(prompt)
      return
    }
    lines.setPrompt(prompt)
    lines.prompt()
  }

  return {
    print: (text) => process.stdout.write(`${text}\n`),
    printError: (text) => process.stderr.write(`${text}\n`),

    async readLine(prompt) {
      input ??= openInput()
      showPrompt(input.lines, prompt)
      const next = await input.iterator.next()
      if (next.done === true) {
        process.stdout.write('\n')
        return null
      }

      // A terminal echoes what was typed. Piped input is echoed here so the transcript shows it.
      if (!interactive) process.stdout.write(`${next.value}\n`)
      return next.value
    },

    close: () => input?.lines.close(),
  }
}
