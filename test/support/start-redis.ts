import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

let server: ChildProcess | undefined
let directory: string | undefined

/**
 * Starts a private redis-server on a free loopback port for the whole test run, so tests never
 * touch a Redis the machine already runs. Fails the run when redis-server is not installed.
 */
export async function setup(project: TestProject): Promise<void> {
  const port = await freePort()
  directory = await mkdtemp(join(tmpdir(), 'switchboard-redis-'))
  server = await startRedisServer(port, directory)
  project.provide('redisUrl', `redis://127.0.0.1:${port}`)
}

export async function teardown(): Promise<void> {
  server?.kill('SIGTERM')
  if (directory) await rm(directory, { recursive: true, force: true })
}

/** Starts `redis-server` on `port` with nothing saved to disk and waits until it accepts clients. */
export async function startRedisServer(
  port: number,
  dir: string,
  extra: string[] = [],
): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extra,
  ]
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })

  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start on port ${port}:\n${output}`)),
      10_000,
    )
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(
        new Error(
          `redis-server could not be started (${error.message}). Install it: apt-get install redis-server`,
        ),
      )
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return child
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
          : reject(new Error('no port')),
      )
    })
  })
}
