import { z } from 'zod'
import { namePattern } from './rule-schema.ts'

/** One team's bearer token for the agent API. */
export interface TeamToken {
  readonly team: string
  readonly token: string
}

const teamTokens = z
  .string()
  .default('')
  .transform((text, context): TeamToken[] => {
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
    const tokens: TeamToken[] = []
    for (const [index, entry] of entries.entries()) {
      const separator = entry.indexOf(':')
      const team = entry.slice(0, Math.max(separator, 0))
      const token = entry.slice(separator + 1)
      // Messages name the entry by position, never by value, so a token stays out of the output.
      if (separator <= 0 || token === '') {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not <team>:<token>; write e.g. nurses:<token>,finance:<token>`,
        })
      } else if (!namePattern.test(team)) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} names team "${team}"; team names are lower-case letters, digits, "-" and "_"`,
        })
      } else {
        tokens.push({ team, token })
      }
    }
    return tokens
  })

const routingEnvironmentSchema = z.object({
  /** Bearer tokens of the agent API, `<team>:<token>` separated by commas; a team may have several. */
  TEAM_TOKENS: teamTokens,
  /** Seconds a claim on an item lasts before the item goes back to its queue. */
  AGENT_LEASE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** Folder with the `<program>.rules.yaml` files. Unset: FLOWS_DIR. */
  RULES_DIR: z.string().min(1).optional(),
  /** Days a resolved or transferred item is kept after it closed. */
  ROUTING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
})

export type RoutingConfig = z.infer<typeof routingEnvironmentSchema>

/** Reads the routing settings from environment variables and reports every invalid one. */
export function loadRoutingConfig(
  environment: Record<string, string | undefined> = process.env,
): RoutingConfig {
  const parsed = routingEnvironmentSchema.safeParse(environment)
  if (parsed.success) return parsed.data

  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new Error(`Invalid routing configuration in the environment:\n  ${problems.join('\n  ')}`)
}
