import type { Redis } from 'ioredis'
import { walkSessions } from './load/walk-sessions.ts'
import { hopsPerWalk, type SubscriberIds } from './load/subscriber-walk.ts'
import type { SessionTemplate } from './seed-sessions.ts'
import type { ServerProcess } from './server-process.ts'
import { floor, peer, switchboard, type TargetName } from './targets.ts'

/**
 * Walks one subscriber through each server and raises unless Switchboard and the peer show the
 * same five screens and the floor replies to every hop. Returns Switchboard's stored session after
 * each hop, read under the key the benchmark believes Switchboard uses, as seeding templates.
 */
export async function checkFlows(
  servers: ReadonlyMap<TargetName, ServerProcess>,
  redis: Redis,
  ids: SubscriberIds,
): Promise<SessionTemplate[]> {
  const templates: SessionTemplate[] = []
  const [switchboardWalk] = await walkSessions(
    serverOf(servers, 'switchboard').baseUrl,
    ids,
    1,
    hopsPerWalk,
    async (session, hop) => {
      const [key] = switchboard.sessionKeys(session.sessionId)
      const value = await redis.get(key!)
      if (value === null) {
        throw new Error(
          `Switchboard stored no session under "${key}" after hop ${hop}. The benchmark's key format in bench/targets.ts no longer matches src/store/redis-store.ts; update it.`,
        )
      }
      templates.push({ key: key!, value, ...session })
    },
  )
  const [peerWalk] = await walkSessions(serverOf(servers, 'peer').baseUrl, ids, 1, hopsPerWalk)
  const [floorWalk] = await walkSessions(serverOf(servers, 'floor').baseUrl, ids, 1, hopsPerWalk)

  expectPrefixes('switchboard', switchboardWalk!.replies, switchboard.expectedPrefixes)
  expectPrefixes('floor', floorWalk!.replies, floor.expectedPrefixes)
  switchboardWalk!.replies.forEach((reply, hop) => {
    if (peerWalk!.replies[hop] !== reply) {
      throw new Error(
        `Hop ${hop + 1} differs: Switchboard replied ${JSON.stringify(reply)} and the peer ${JSON.stringify(peerWalk!.replies[hop])}. Make bench/servers/peer-server.ts show the screens of bench/flows/shop.flow.yaml.`,
      )
    }
  })
  return templates
}

export function serverOf(
  servers: ReadonlyMap<TargetName, ServerProcess>,
  name: TargetName,
): ServerProcess {
  const server = servers.get(name)
  if (server === undefined) throw new Error(`The ${name} server is not running.`)
  return server
}

function expectPrefixes(name: string, replies: readonly string[], prefixes: readonly string[]) {
  replies.forEach((reply, hop) => {
    if (!reply.startsWith(`200 ${prefixes[hop]}`)) {
      throw new Error(
        `The ${name} server replied to hop ${hop + 1} with ${JSON.stringify(reply)}; expected HTTP 200 and "${prefixes[hop]}...".`,
      )
    }
  })
}
