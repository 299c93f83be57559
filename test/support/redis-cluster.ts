import { execFile, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { freePort, startRedisServer } from './start-redis.ts'

const run = promisify(execFile)

export interface RedisCluster {
  readonly nodes: { host: string; port: number }[]
  stop(): Promise<void>
}

/**
 * Starts a Redis Cluster of `masters` redis-server processes on free loopback ports, with no
 * replicas, and waits until every node reports `cluster_state:ok`. Node files go to `directory`.
 */
export async function startRedisCluster(directory: string, masters = 3): Promise<RedisCluster> {
  const servers: ChildProcess[] = []
  const stop = () => stopAll(servers)

  try {
    const ports: number[] = []
    for (let index = 0; index < masters; index += 1) {
      const [port, busPort] = await twoFreePorts()
      const server = await startRedisServer(
        port,
        directory,
        clusterArguments(directory, port, busPort),
      )
      servers.push(server)
      ports.push(port)
    }

    const addresses = ports.map((port) => `127.0.0.1:${port}`)
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    )
    await waitForClusterOk(ports, 15_000)
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function clusterArguments(directory: string, port: number, busPort: number): string[] {
  return [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    join(directory, `nodes-${port}.conf`),
    // The bus port defaults to port + 10000, which may be taken or above 65535.
    '--cluster-port',
    String(busPort),
  ]
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort()
  let second = await freePort()
  while (second === first) second = await freePort()
  return [first, second]
}

async function waitForClusterOk(ports: number[], timeoutMs: number): Promise<void> {
  const clients = ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true }))
  const deadline = Date.now() + timeoutMs
  try {
    while (Date.now() < deadline) {
      const infos = await Promise.all(clients.map((client) => client.cluster('INFO')))
      if (infos.every((info) => info.includes('cluster_state:ok'))) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(
      `Redis Cluster on ports ${ports.join(', ')} did not reach cluster_state:ok within ${timeoutMs} ms.`,
    )
  } finally {
    for (const client of clients) client.disconnect()
  }
}

async function stopAll(servers: ChildProcess[]): Promise<void> {
  await Promise.all(
    servers.map(async (server) => {
      if (server.exitCode !== null || server.signalCode !== null) return
      const exited = once(server, 'exit')
      server.kill('SIGKILL')
      await exited
    }),
  )
}
