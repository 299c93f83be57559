import { createRequire } from 'node:module'

// Typed access to the parts of the `africastalking` 0.8.3 SDK that Switchboard uses. The SDK
// is CommonJS and ships no types, so it is loaded with `require` and described here.

/** Form fields `SMS.send` accepts for one bulk message. */
export interface AtSendParams {
  to: string | string[]
  message: string
  from?: string
  enqueue?: boolean
}

export interface AtRecipient {
  statusCode?: number
  number?: string
  status?: string
  cost?: string
  messageId?: string
}

/** The JSON body of a 201 response to `POST /version1/messaging`. */
export interface AtSendResponse {
  SMSMessageData?: {
    Message?: string
    Recipients?: AtRecipient[]
  }
}

export interface AtClient {
  SMS: { send(params: AtSendParams): Promise<AtSendResponse> }
}

export interface AtClientOptions {
  username: string
  apiKey: string
  format?: 'json' | 'xml'
}

/**
 * The module-level URLs of `africastalking/lib/common.js`. The SDK reads them each time it
 * sends, and its constructor overwrites them (with sandbox URLs) for a `sandbox` username.
 */
export interface AtCommonUrls {
  BASE_URL: string
  CHECKOUT_TOKEN_URL: string
  AUTH_TOKEN_URL: string
  USER_URL: string
  SMS_URL: string
  AIRTIME_URL: string
  VOICE_URL: string
  MOBILE_DATA_URL: string
  CONTENT_URL: string
  INSIGHTS_URL: string
  CHAT_URL: string
}

/** The parts of axios's request interceptor API used to scope a timeout to our sends. */
export interface AxiosLike {
  interceptors: {
    request: {
      use(onFulfilled: (config: AxiosRequestConfigLike) => AxiosRequestConfigLike): number
      eject(id: number): void
    }
  }
}

export interface AxiosRequestConfigLike {
  timeout?: number
  signal?: AbortSignal
  url?: string
}

const require = createRequire(import.meta.url)

// Resolving from the SDK's own file gives the module instances the SDK itself uses, even if
// another copy of axios is installed elsewhere in node_modules.
const sdkEntry = require.resolve('africastalking')
const requireFromSdk = createRequire(require.resolve('africastalking/lib/sms.js'))

export const createAtClient = require(sdkEntry) as (options: AtClientOptions) => AtClient
export const atCommonUrls = require('africastalking/lib/common.js') as AtCommonUrls
export const sdkAxios = requireFromSdk('axios') as AxiosLike
