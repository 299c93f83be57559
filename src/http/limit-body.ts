import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/**
 * Rejects a request body over `maxBytes` by calling `onError`. Hono's `bodyLimit` reads the raw
 * stream, which throws once an earlier middleware (a request logger, a signature check) has read
 * the body through `c.req`. In that case the copy in Hono's body cache is measured instead.
 */
export function limitBody(
  maxBytes: number,
  onError: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize: maxBytes, onError })

  return async (c, next) => {
    // A declared length is checked without touching the body, so @hono/node-server still reads
    // it on its fast path instead of building a web Request and stream, which cost about a third
    // of a hop's CPU (bench/run.ts). Node's HTTP parser delivers at most Content-Length bytes and
    // rejects a request that also has Transfer-Encoding.
    const declared = c.req.header('content-length')
    if (declared !== undefined) return Number(declared) > maxBytes ? onError(c) : next()

    if (!c.req.raw.bodyUsed) return streamed(c, next)

    const body = await c.req.arrayBuffer()
    if (body.byteLength > maxBytes) return onError(c)
    await next()
  }
}
