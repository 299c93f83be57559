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
    if (!c.req.raw.bodyUsed) return streamed(c, next)

    const body = await c.req.arrayBuffer()
    if (body.byteLength > maxBytes) return onError(c)
    await next()
  }
}
