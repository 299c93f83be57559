import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { freePort, stopChild } from './redis-server.ts'

/** The repository root, where `--import tsx` resolves and relative FLOWS_DIR paths start. */
export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url))

export interface ServerProcess {
  readonly baseUrl: string
  readonly pid: number
  /** The last few kilobytes the process wrote to stdout and stderr. */
  output(): string
  stop(): Promise<void>
}

export interface ServerProcessOptions {
  /** TypeScript entry point, relative to the repository root. */
  readonly entry: string
  readonly environment: Record<string, string>
  /** Extra `node` flags, such as `--cpu-prof`. */
  readonly nodeFlags?: readonly string[]
}

/** Runs a TypeScript server in its own `node` process on a free port and waits for `/healthz`. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const args = [...(options.nodeFlags ?? []), '--import', 'tsx', options.entry]
  const child = spawn(process.execPath, args, {
    cwd: repositoryRoot,
    env: { ...process.env, ...options.environment, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = keepTail(child)

  await waitForHealth(baseUrl, child, options.entry, output)
  return {
    baseUrl,
    pid: child.pid ?? 0,
    output,
    stop: () => stopChild(child),
  }
}

function keepTail(child: ChildProcess): () => string {
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4096)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return () => tail
}

async function waitForHealth(
  baseUrl: string,
  child: ChildProcess,
  entry: string,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${entry} exited with code ${child.exitCode} before it served:\n${output()}`)
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`)
      await response.body?.cancel()
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new Error(`${entry} did not respond on ${baseUrl}/healthz within 20 s:\n${output()}`)
}
