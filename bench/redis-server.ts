import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisServer {
  readonly url: string
  readonly pid: number
  stop(): Promise<void>
}

/**
 * Starts a private redis-server on a free loopback port, with nothing saved to disk, so the
 * benchmark never touches a Redis the machine already runs.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  const directory = await mkdtemp(join(tmpdir(), 'switchboard-bench-redis-'))
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  const child = spawn('redis-server', [...args, '--dir', directory], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await waitForOutput(child, 'Ready to accept connections', `redis-server on port ${port}`)

  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    stop: async () => {
      await stopChild(child)
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('The kernel returned no port for 127.0.0.1:0.')),
      )
    })
  })
}

function waitForOutput(child: ChildProcess, marker: string, description: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => fail(new Error(`${description} did not start in 10 s:\n${output}`)),
      10_000,
    )
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.once('error', (error) =>
      fail(
        new Error(
          `redis-server could not be started (${error.message}). Install it: apt-get install redis-server`,
        ),
      ),
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(marker)) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
}

/** Sends SIGTERM and waits for the process to exit, killing it after five seconds. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
