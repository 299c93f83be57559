/** A part of the hop that CPU time is charged to, recognised by the URL of a stack frame. */
interface Stage {
  readonly name: string
  readonly matches: (url: string) => boolean
}

const inPackage = (...names: string[]) => {
  const pattern = new RegExp(`node_modules/(${names.join('|')})/`)
  return (url: string) => pattern.test(url)
}
const inSource = (...folders: string[]) => {
  const pattern = new RegExp(`/src/(${folders.join('|')})/`)
  return (url: string) => pattern.test(url)
}

// A sample is charged to the innermost frame that one of these recognises, so JSON.parse inside
// the Redis store counts as the store, and a Node stream call made by ioredis as ioredis.
const stages: readonly Stage[] = [
  { name: 'XState (transitions, snapshots)', matches: inPackage('xstate') },
  { name: 'ioredis and its parser', matches: inPackage('ioredis', 'redis-parser', 'denque') },
  { name: 'Redis store (keys, JSON, Lua call)', matches: inSource('store') },
  { name: 'pino logging', matches: inPackage('pino', '@pinojs', 'pino-std-serializers') },
  { name: 'zod validation', matches: inPackage('zod') },
  {
    name: 'engine and flows (src/engine, src/flows, src/text)',
    matches: inSource('engine', 'flows', 'text'),
  },
  {
    name: 'HTTP route, form and channel (src/http, src/channels)',
    matches: inSource('http', 'channels'),
  },
  { name: 'Hono and @hono/node-server', matches: inPackage('hono', '@hono/node-server') },
  {
    name: 'Node HTTP server and sockets',
    matches: (url) => /^node:(_http_|net$|internal\/(http|streams|stream_base))/.test(url),
  },
  {
    name: 'module loading (start-up)',
    matches: (url) => /node_modules\/(tsx|esbuild)\/|^node:internal\/modules\//.test(url),
  },
]

// V8 samples the main thread on a wall clock, so a sample taken while the thread waits in a
// socket write (the process preempted by another on a shared core) lands on these natives.
const socketWrites = new Set(['writeUtf8String', 'writev', 'writeBuffer', 'writeLatin1String'])

export const socketWritesStage = 'socket write syscalls (wall time: includes waiting for a core)'

/** Names the stage a sample belongs to, given its stack from the leaf up. */
export function stageOf(stack: readonly { functionName: string; url: string }[]): string {
  const leaf = stack[0]
  if (leaf === undefined) return '(unknown)'
  if (leaf.functionName === '(garbage collector)') return 'garbage collection'
  if (leaf.functionName === '(program)') return '(program: V8 outside JavaScript)'
  if (socketWrites.has(leaf.functionName)) return socketWritesStage

  for (const frame of stack) {
    const stage = stages.find((candidate) => candidate.matches(frame.url))
    if (stage !== undefined) return stage.name
  }
  return 'other (Node internals, timers, microtasks)'
}
