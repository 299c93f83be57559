/** Default Africa's Talking USSD fields; a test passes only those that differ. */
export const defaultHopFields = {
  serviceCode: '*384*123#',
  phoneNumber: '+254700000001',
  networkCode: '63902',
}

export interface HopResult {
  readonly status: number
  readonly contentType: string | null
  readonly body: string
}

type Fetcher = (path: string, init: RequestInit) => Promise<Response> | Response

/**
 * Sends Africa's Talking USSD callbacks, either in process (`app.request`) or over a real socket
 * (`fetch` with a base URL).
 */
export function ussdClient(fetcher: Fetcher, path = '/africastalking/ussd') {
  return async function hop(fields: Record<string, string | undefined>): Promise<HopResult> {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries({ ...defaultHopFields, ...fields })) {
      if (value !== undefined) form.set(name, value)
    }
    const response = await fetcher(path, {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await response.text(),
    }
  }
}

/** Sends each cumulative text of `texts` in order for one session and returns the bodies. */
export async function walk(
  hop: ReturnType<typeof ussdClient>,
  sessionId: string,
  texts: readonly string[],
  fields: Record<string, string> = {},
): Promise<string[]> {
  const bodies: string[] = []
  for (const text of texts) {
    bodies.push((await hop({ ...fields, sessionId, text })).body)
  }
  return bodies
}
