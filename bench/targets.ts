/** A server under test, started in its own process and driven with the same load. */
export interface BenchTarget {
  readonly name: TargetName
  readonly description: string
  readonly entry: string
  environment(redisUrl: string): Record<string, string>
  /** Start every reply must have, by hop. */
  readonly expectedPrefixes: readonly string[]
  /** The raw Redis keys (no client prefix) the server keeps for one session. */
  sessionKeys(sessionId: string): string[]
}

export type TargetName = 'switchboard' | 'floor' | 'peer'

const flowPrefixes = ['CON ', 'CON ', 'CON ', 'CON ', 'END ']

// Switchboard's Redis key of an Africa's Talking session: REDIS_KEY_PREFIX, then
// `session:{<provider>:<sessionId>}` as built in src/store/redis-store.ts. The benchmark checks
// that this key exists after its first walk, so a change of format stops it instead of seeding
// keys Switchboard never reads.
const switchboardKeyPrefix = 'sb:'

export const switchboard: BenchTarget = {
  name: 'switchboard',
  description: 'Switchboard (src/main.ts, Redis store)',
  entry: 'src/main.ts',
  environment: (redisUrl) => ({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: switchboardKeyPrefix,
    LOG_LEVEL: 'warn',
    FLOWS_DIR: 'bench/flows',
    NODE_ENV: 'production',
  }),
  expectedPrefixes: flowPrefixes,
  sessionKeys: (sessionId) => [`${switchboardKeyPrefix}session:{africastalking:${sessionId}}`],
}

export const floor: BenchTarget = {
  name: 'floor',
  description: 'floor: Hono, URLSearchParams, one GET and one SET',
  entry: 'bench/servers/floor-server.ts',
  environment: (redisUrl) => ({ REDIS_URL: redisUrl }),
  // The floor returns the menu on every hop because it has no flow to end.
  expectedPrefixes: ['CON ', 'CON ', 'CON ', 'CON ', 'CON '],
  sessionKeys: (sessionId) => [`floor:{${sessionId}}`],
}

export const peer: BenchTarget = {
  name: 'peer',
  description: 'peer: ussd-menu-builder 1.2.0 on Express 5.3.0, Redis session',
  entry: 'bench/servers/peer-server.ts',
  environment: (redisUrl) => ({ REDIS_URL: redisUrl, NODE_ENV: 'production' }),
  expectedPrefixes: flowPrefixes,
  sessionKeys: (sessionId) => [`peer:{${sessionId}}:item`, `peer:{${sessionId}}:amount`],
}

export const targets: readonly BenchTarget[] = [switchboard, floor, peer]
