import { AsyncLocalStorage } from 'node:async_hooks'
import type { SmsConfig } from '../sms-config.ts'
import type { SendOutcome, SmsRequest, SmsSender } from '../sms-sender.ts'
import {
  atCommonUrls,
  createAtClient,
  sdkAxios,
  type AtClient,
  type AtCommonUrls,
} from './at-sdk.ts'
import { mapAtSendResult } from './at-send-outcome.ts'

/** The API hosts that `africastalking` 0.8.3 itself uses (see its `lib/common.js`). */
export const productionApiUrl = 'https://api.africastalking.com'
export const sandboxApiUrl = 'https://api.sandbox.africastalking.com'

export interface AtSmsSenderOptions {
  readonly username: string
  readonly apiKey: string
  /** Sender id or short code sent as `from`; the account's default when unset. */
  readonly senderId?: string
  /**
   * Base URL such as `http://127.0.0.1:4010`, for tests and local runs. Unset: the production
   * API, or the sandbox when the username is `sandbox`.
   */
  readonly apiUrl?: string
  /** Milliseconds one send may take, connection included, before it counts as timed out. */
  readonly timeoutMs: number
}

interface SendScope {
  readonly timeoutMs: number
  readonly signal: AbortSignal
}

// The SDK calls axios's shared default instance with no timeout and no way to pass one. An
// interceptor on that instance (the one the SDK itself requires) adds an abort signal to the
// requests made inside `send`, found through async context. Setting `axios.defaults.timeout`
// would be simpler, but in axios 1.18 it is a socket idle timeout that a slow trickle of bytes
// never trips, and it would change every other user of the shared instance. Racing the promise
// against a timer would leave the request running, where the abort closes the socket.
const sendScope = new AsyncLocalStorage<SendScope>()
let interceptorInstalled = false

function installTimeoutInterceptor(): void {
  if (interceptorInstalled) return
  sdkAxios.interceptors.request.use((config) => {
    const scope = sendScope.getStore()
    if (scope === undefined) return config
    config.timeout = scope.timeoutMs
    config.signal = scope.signal
    return config
  })
  interceptorInstalled = true
}

/** Sends SMS through the Africa's Talking bulk SMS API using the official SDK. */
export class AtSmsSender implements SmsSender {
  // Private fields stay out of JSON and logs, which matters because the SDK client contains the
  // API key.
  readonly #client: AtClient
  readonly #apiUrl: string
  readonly #senderId: string | undefined
  readonly #timeoutMs: number

  constructor(options: AtSmsSenderOptions) {
    this.#client = createAtClient({ username: options.username, apiKey: options.apiKey })
    this.#apiUrl = resolveApiUrl(options)
    this.#senderId = options.senderId
    this.#timeoutMs = options.timeoutMs
    installTimeoutInterceptor()
    pointSdkAt(this.#apiUrl)
  }

  /** The base URL sends go to, for the startup log. */
  get apiUrl(): string {
    return this.#apiUrl
  }

  async send(request: SmsRequest): Promise<SendOutcome> {
    const from = request.from ?? this.#senderId
    const params = { to: request.to, message: request.text, ...(from ? { from } : {}) }
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs)

    try {
      // Another client constructed with the `sandbox` username rewrites the SDK's URLs for the
      // whole process, so they are set again before every send. The SDK reads them
      // synchronously inside `SMS.send`.
      pointSdkAt(this.#apiUrl)
      const scope = { timeoutMs: this.#timeoutMs, signal: controller.signal }
      const response = await sendScope.run(scope, () => this.#client.SMS.send(params))
      return mapAtSendResult({ ok: true, response, to: request.to })
    } catch (error) {
      return mapAtSendResult({ ok: false, error, timeoutMs: this.#timeoutMs })
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Reads the sender options from the SMS settings; undefined when no account is configured. */
export function atSmsSenderOptionsFrom(config: SmsConfig): AtSmsSenderOptions | undefined {
  if (config.AT_USERNAME === undefined || config.AT_API_KEY === undefined) return undefined
  return {
    username: config.AT_USERNAME,
    apiKey: config.AT_API_KEY,
    timeoutMs: config.SMS_TIMEOUT_MS,
    ...(config.AT_SENDER_ID ? { senderId: config.AT_SENDER_ID } : {}),
    ...(config.AT_API_URL ? { apiUrl: config.AT_API_URL } : {}),
  }
}

export function resolveApiUrl(options: Pick<AtSmsSenderOptions, 'username' | 'apiUrl'>): string {
  if (options.apiUrl !== undefined) return options.apiUrl.replace(/\/+$/, '')
  return options.username.toLowerCase() === 'sandbox' ? sandboxApiUrl : productionApiUrl
}

/**
 * Points every URL of the SDK's `lib/common.js` at `apiUrl`. The SDK has no base-URL option:
 * it reads these module-level values when it sends, and its constructor overwrites them for a
 * `sandbox` username. With a local `apiUrl`, no part of the SDK can reach an outside host.
 */
function pointSdkAt(apiUrl: string): void {
  Object.assign(atCommonUrls, sdkUrlsFor(apiUrl))
}

/** Computes the `lib/common.js` values for `apiUrl`, mirroring its production and sandbox sets. */
export function sdkUrlsFor(apiUrl: string): AtCommonUrls {
  const version1 = `${apiUrl}/version1`
  const hosted = apiUrl === productionApiUrl || apiUrl === sandboxApiUrl
  const domain = apiUrl === sandboxApiUrl ? 'sandbox.africastalking.com' : 'africastalking.com'
  const productHost = (product: string) => (hosted ? `https://${product}.${domain}` : apiUrl)

  return {
    BASE_URL: version1,
    USER_URL: `${version1}/user`,
    SMS_URL: `${version1}/messaging`,
    AIRTIME_URL: `${version1}/airtime/send`,
    CHECKOUT_TOKEN_URL: `${apiUrl}/checkout/token/create`,
    AUTH_TOKEN_URL: `${apiUrl}/auth-token/generate`,
    // Premium SMS goes to CONTENT_URL + /messaging; production serves it from its own host.
    CONTENT_URL: apiUrl === productionApiUrl ? `${productHost('content')}/version1` : version1,
    VOICE_URL: productHost('voice'),
    MOBILE_DATA_URL: productHost('bundles'),
    INSIGHTS_URL: productHost('insights'),
    CHAT_URL: productHost('chat'),
  }
}
