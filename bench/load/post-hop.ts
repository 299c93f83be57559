import type { Dispatcher } from 'undici'

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

export interface HopResponse {
  readonly status: number
  readonly reply: string
}

/** Posts one form-encoded USSD callback and reads the whole reply. */
export async function postHop(
  dispatcher: Dispatcher,
  path: string,
  form: string,
): Promise<HopResponse> {
  const response = await dispatcher.request({
    path,
    method: 'POST',
    headers: formHeaders,
    body: form,
  })
  const reply = await response.body.text()
  return { status: response.statusCode, reply }
}
