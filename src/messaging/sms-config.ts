import { z } from 'zod'

const positiveInteger = (fallback: number) => z.coerce.number().int().positive().default(fallback)

const smsEnvironmentSchema = z
  .object({
    /** Africa's Talking account name; `sandbox` selects the sandbox API. Unset: no SMS provider. */
    AT_USERNAME: z.string().min(1).optional(),
    AT_API_KEY: z.string().min(1).optional(),
    /** Sender id or short code sent as `from`; unset uses the account's default. */
    AT_SENDER_ID: z.string().min(1).optional(),
    /** Base URL of the API, e.g. `http://127.0.0.1:4010` for a local fake. */
    AT_API_URL: z
      .string()
      .url()
      .refine((url) => /^https?:\/\//.test(url), 'must start with http:// or https://')
      .optional(),
    /** Milliseconds one send may take before it counts as timed out and is retried. */
    SMS_TIMEOUT_MS: positiveInteger(10_000),
    /** Sends of one message, the first included, before it is marked failed. */
    SMS_MAX_ATTEMPTS: positiveInteger(5),
    /** Sends started per second by one worker. */
    SMS_RATE_PER_SECOND: z.coerce.number().positive().default(10),
    /** Segments one outgoing text may use; each segment is billed as one SMS. */
    SMS_MAX_SEGMENTS: positiveInteger(3),
    /** Handling of a longer text: `truncate` it to the limit, or `reject` it. */
    SMS_OVERFLOW: z.enum(['reject', 'truncate']).default('truncate'),
  })
  .refine((env) => (env.AT_USERNAME === undefined) === (env.AT_API_KEY === undefined), {
    message: 'set AT_USERNAME and AT_API_KEY together, or neither to log SMS instead of sending',
    path: ['AT_API_KEY'],
  })

export type SmsConfig = z.infer<typeof smsEnvironmentSchema>

/** Reads the outbound SMS settings from environment variables and reports every invalid one. */
export function loadSmsConfig(
  environment: Record<string, string | undefined> = process.env,
): SmsConfig {
  const parsed = smsEnvironmentSchema.safeParse(environment)
  if (parsed.success) return parsed.data

  // Issues name the variable and the rule; they never quote a value, so the key stays out.
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new Error(`Invalid SMS configuration in the environment:\n  ${problems.join('\n  ')}`)
}
