/** Result of one webhook POST. */
export type WebhookResult =
  { readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string }

/**
 * POSTs `body` as JSON to `url`, giving up after `timeoutMs`. Any 2xx status is a success; other
 * statuses, network errors and timeouts are failures for the caller to retry.
 */
export async function postWebhook(
  url: string,
  body: unknown,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<WebhookResult> {
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    // Read the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined)
    if (response.ok) return { ok: true, status: response.status }
    return { ok: false, reason: `HTTP ${response.status}` }
  } catch (error) {
    const name = (error as Error).name
    if (name === 'TimeoutError') return { ok: false, reason: `timed out after ${timeoutMs} ms` }
    return { ok: false, reason: (error as Error).message }
  }
}
