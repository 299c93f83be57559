/** A callback the simulator could not complete, with a message for the person at the terminal. */
export class SwitchboardRequestError extends Error {
  override name = 'SwitchboardRequestError'
}

/** Nothing accepted the connection: Switchboard is not running at that address. */
export class SwitchboardUnreachableError extends SwitchboardRequestError {
  override name = 'SwitchboardUnreachableError'

  constructor(readonly url: string) {
    super(`Switchboard is not running at ${url}. Start it with npm start.`)
  }
}

/** Switchboard replied with a status other than 200, which aggregators treat as a hang-up. */
export class SwitchboardStatusError extends SwitchboardRequestError {
  override name = 'SwitchboardStatusError'

  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    const shownBody = body.trim() === '' ? '(empty body)' : body.trim()
    super(
      `Switchboard replied HTTP ${status} instead of 200 at ${url}:\n  ${shownBody}\n` +
        "Africa's Talking would end the session with an error on any reply other than 200.",
    )
  }
}

// Africa's Talking's help centre ("duration of a USSD session", Kenyan operators) gives 10 s to
// connect and 15 s for the reply before the gateway drops the hop.
const replyTimeoutMs = 15_000

/**
 * Posts `fields` form-encoded to `url`, as an aggregator callback does, and returns the body of
 * a 200 reply. Raises a `SwitchboardRequestError` for every other outcome.
 */
export async function postForm(url: string, fields: Record<string, string>): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(replyTimeoutMs),
    })
  } catch (error) {
    throw describeFetchFailure(url, error)
  }

  const body = await response.text()
  if (response.status !== 200) throw new SwitchboardStatusError(url, response.status, body)
  return body
}

function describeFetchFailure(url: string, error: unknown): SwitchboardRequestError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new SwitchboardRequestError(
      `Switchboard did not reply within ${replyTimeoutMs / 1000} s at ${url}. ` +
        "Africa's Talking would have ended the session. Check the server's log for a slow task.",
    )
  }

  const codes = socketErrorCodes(error)
  if (codes.includes('ECONNREFUSED')) return new SwitchboardUnreachableError(url)

  const reason = codes[0] ?? (error instanceof Error ? error.message : String(error))
  return new SwitchboardRequestError(
    `Could not reach Switchboard at ${url} (${reason}). Check the address given with --url.`,
  )
}

// fetch (undici in Node 20) raises a TypeError whose cause is the socket error. When several
// addresses were tried, the cause is an AggregateError that contains one socket error per address.
function socketErrorCodes(error: unknown): string[] {
  const cause = error instanceof Error ? error.cause : undefined
  const errors = cause instanceof AggregateError ? [cause, ...cause.errors] : [cause]
  return errors
    .map((item: unknown) => (item as { code?: unknown } | undefined)?.code)
    .filter((code): code is string => typeof code === 'string')
}
