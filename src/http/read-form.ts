import type { Context } from 'hono'
import type { CallbackProblem, ParseResult } from '../channels/ussd-channel.ts'

const formType = 'application/x-www-form-urlencoded'

/**
 * Reads a form-encoded callback body once, through Hono's cached `c.req.text()`, so middleware
 * that also reads it does not leave the handler an empty body. A field sent more than once is
 * rejected rather than guessed at.
 */
export async function readForm(c: Context): Promise<ParseResult<URLSearchParams>> {
  const contentType = c.req.header('content-type') ?? ''
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== formType) {
    return problem(
      415,
      `Content-Type "${contentType || 'none'}" is not supported. Send ${formType}.`,
    )
  }

  const fields = new URLSearchParams(await c.req.text())
  const seen = new Set<string>()
  for (const name of fields.keys()) {
    if (seen.has(name)) {
      return problem(400, `Field "${name}" appears more than once. Send each field once.`)
    }
    seen.add(name)
  }
  return { ok: true, value: fields }
}

function problem(status: CallbackProblem['status'], message: string): ParseResult<never> {
  return { ok: false, problem: { status, message } }
}
