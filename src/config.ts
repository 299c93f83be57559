import { z } from 'zod'
import { loadSmsConfig, type SmsConfig } from './messaging/sms-config.ts'
import { loadRoutingConfig, type RoutingConfig } from './routing/routing-config.ts'

const integer = (fallback: number) => z.coerce.number().int().positive().default(fallback)
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback)
// One phone-pad key, other than `#`, which ends typed input on a call.
const voiceKey = (fallback: string) =>
  z
    .string()
    .regex(/^[0-9*]$/, 'one phone-pad key: a digit or "*"')
    .default(fallback)

/** Country code assumed for local numbers when DEFAULT_COUNTRY_CODE is not set (Kenya). */
export const defaultCountryCode = '254'

const environmentSchema = z.object({
  PORT: integer(3000),
  HOST: z.string().default('127.0.0.1'),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: sessions live in process memory. Set: `redis://127.0.0.1:6379/0`. */
  REDIS_URL: z.string().url().optional(),
  REDIS_KEY_PREFIX: z.string().default('sb:'),
  /** Milliseconds a Redis command may take before the hop gives up on it. */
  REDIS_COMMAND_TIMEOUT_MS: integer(1000),
  FLOWS_DIR: z.string().default('machines'),
  /** Characters per USSD screen after `CON `/`END `; some routes allow only 160. */
  USSD_SCREEN_LIMIT: z.coerce.number().int().min(60).max(182).default(182),
  /** Seconds a session lives after its last hop; a little over the 180 s operator limit. */
  SESSION_TTL_SECONDS: integer(240),
  /** Milliseconds a hop may spend on flow tasks; stay under the aggregator's 10 s timeout. */
  HOP_BUDGET_MS: z.coerce.number().int().min(100).max(9000).default(5000),
  /** Milliseconds a slow task may go on after its hop answered that the result comes by SMS. */
  TASK_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Seconds after its last hop when a USSD session still waiting counts as dropped, for when the
   * end-of-session notice never comes. Operators end sessions after 180 s. 0 turns it off.
   */
  USSD_DROP_AFTER_SECONDS: count(180),
  /** Milliseconds between looks for due timers. */
  TIMER_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** Country code used for local numbers such as 0700000001. */
  DEFAULT_COUNTRY_CODE: z
    .string()
    .regex(/^\d{1,3}$/)
    .default(defaultCountryCode),
  DEFAULT_LANGUAGE: z.string().default('en'),
  /**
   * Public origin of this service (`https://switchboard.example.org`), used in the callback URLs
   * of voice replies. Unset: the origin of each incoming request.
   */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Seconds a call waits for key presses before it plays the fallback and asks again. */
  VOICE_DIGITS_TIMEOUT_SECONDS: z.coerce.number().int().min(3).max(60).default(15),
  /** Silent answers in a row a caller is asked again for before the call ends with an SMS. */
  VOICE_MAX_SILENT_PROMPTS: count(2),
  /** Invalid answers in a row a caller is asked again for before the call ends with an SMS. */
  VOICE_MAX_INVALID_PROMPTS: count(3),
  /** Seconds a recorded free-text answer may last. */
  VOICE_RECORD_MAX_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  VOICE_KEY_MORE: voiceKey('9'),
  VOICE_KEY_BACK: voiceKey('0'),
  VOICE_KEY_REPEAT: voiceKey('*'),
  /** Hours an SMS question waits for its reply before a reply no longer counts as an answer. */
  SMS_QUESTION_TTL_HOURS: z.coerce.number().positive().max(720).default(48),
  /** `true`: a reply to something the person asked for still goes out after they sent STOP. */
  SMS_SEND_TRANSACTIONAL_AFTER_OPT_OUT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Bearer token of the flow API (`POST /api/flows/:flowId/start`). Unset: the API rejects all. */
  API_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** `on` serves the web phone simulator at /simulator. Unset: on unless NODE_ENV=production. */
  SIMULATOR: z.enum(['on', 'off']).optional(),
  /** `on` reloads changed flow files while running. Unset: on unless NODE_ENV=production. */
  FLOWS_WATCH: z.enum(['on', 'off']).optional(),
})

/** Every setting: the core ones, outbound SMS under `sms`, routing to teams under `routing`. */
export type Config = z.infer<typeof environmentSchema> & {
  readonly sms: SmsConfig
  readonly routing: RoutingConfig
}

/** Reads the configuration from environment variables and reports every invalid one. */
export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(environment)
  if (parsed.success && distinctVoiceKeys(parsed.data)) {
    return {
      ...parsed.data,
      sms: loadSmsConfig(environment),
      routing: loadRoutingConfig(environment),
    }
  }

  const problems = parsed.success
    ? [
        `VOICE_KEY_MORE, VOICE_KEY_BACK, VOICE_KEY_REPEAT: must be three different keys, not ${voiceKeys(parsed.data).join(', ')}`,
      ]
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new Error(`Invalid configuration in the environment:\n  ${problems.join('\n  ')}`)
}

/** True when `/simulator` is served: SIMULATOR=on, or SIMULATOR unset outside production. */
export function simulatorEnabled(config: Config): boolean {
  return switchedOn(config.SIMULATOR, config.NODE_ENV)
}

/** True when flow files are reloaded on change: FLOWS_WATCH=on, or unset outside production. */
export function flowsWatchEnabled(config: Config): boolean {
  return switchedOn(config.FLOWS_WATCH, config.NODE_ENV)
}

function switchedOn(setting: 'on' | 'off' | undefined, nodeEnvironment: string): boolean {
  return setting === undefined ? nodeEnvironment !== 'production' : setting === 'on'
}

function voiceKeys(config: z.infer<typeof environmentSchema>): string[] {
  return [config.VOICE_KEY_MORE, config.VOICE_KEY_BACK, config.VOICE_KEY_REPEAT]
}

function distinctVoiceKeys(config: z.infer<typeof environmentSchema>): boolean {
  return new Set(voiceKeys(config)).size === 3
}
