import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { TeamToken } from './routing-config.ts'

/**
 * Checks `Authorization: Bearer <token>` against the team in the path: 401 without a known token,
 * 403 for a token of another team. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, and every configured token is compared, so the time taken does not tell
 * which token or how much of one matched.
 */
export function teamAuth(tokens: readonly TeamToken[]): MiddlewareHandler {
  const known = tokens.map((entry) => ({ team: entry.team, digest: digest(entry.token) }))

  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim())
    if (match === null) {
      return c.json(
        { error: 'Missing bearer token. Send Authorization: Bearer <team token>.' },
        401,
        {
          'www-authenticate': 'Bearer realm="switchboard-teams"',
        },
      )
    }

    const presented = digest(match[1] ?? '')
    const teams = new Set<string>()
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, presented)) teams.add(entry.team)
    }
    if (teams.size === 0) {
      return c.json({ error: 'Unknown bearer token. Check the token for your team.' }, 401, {
        'www-authenticate': 'Bearer realm="switchboard-teams", error="invalid_token"',
      })
    }

    const team = c.req.param('team') ?? ''
    if (!teams.has(team)) {
      return c.json({ error: `This token is not for team ${team}. Use that team's token.` }, 403)
    }
    await next()
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}
