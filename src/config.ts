import { z } from 'zod'

const integer = (fallback: number) => z.coerce.number().int().positive().default(fallback)

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
  /** Country code used for local numbers such as 0700000001. */
  DEFAULT_COUNTRY_CODE: z
    .string()
    .regex(/^\d{1,3}$/)
    .default('254'),
  DEFAULT_LANGUAGE: z.string().default('en'),
})

export type Config = z.infer<typeof environmentSchema>

/** Reads the configuration from environment variables and reports every invalid one. */
export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(environment)
  if (parsed.success) return parsed.data

  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new Error(`Invalid configuration in the environment:\n  ${problems.join('\n  ')}`)
}
