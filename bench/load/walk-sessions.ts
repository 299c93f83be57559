import { Pool } from 'undici'
import { postHop } from './post-hop.ts'
import { hopForm, walkTexts, type SubscriberIds } from './subscriber-walk.ts'

export interface WalkedSession {
  readonly sessionId: string
  readonly phoneNumber: string
  /** Status and body of each hop, in order. */
  readonly replies: readonly string[]
}

/**
 * Walks `count` subscribers through the first `hops` hops of the flow, 20 at a time, and
 * returns their replies. Raises on a transport error, and callers check the replies.
 */
export async function walkSessions(
  baseUrl: string,
  ids: SubscriberIds,
  count: number,
  hops: number,
  afterHop: (session: WalkedSession, hop: number) => Promise<void> = async () => {},
): Promise<WalkedSession[]> {
  const pool = new Pool(baseUrl, { connections: 20 })
  const walked: WalkedSession[] = []
  try {
    const walkOne = async () => {
      const { sessionId, phoneNumber } = ids.take()
      const session = { sessionId, phoneNumber, replies: [] as string[] }
      for (const text of walkTexts.slice(0, hops)) {
        const { status, reply } = await postHop(
          pool,
          '/africastalking/ussd',
          hopForm(sessionId, phoneNumber, text),
        )
        session.replies.push(`${status} ${reply}`)
        await afterHop(session, session.replies.length)
      }
      walked.push(session)
    }
    for (let started = 0; started < count; started += 20) {
      const batch = Math.min(20, count - started)
      await Promise.all(Array.from({ length: batch }, walkOne))
    }
  } finally {
    await pool.close()
  }
  return walked
}
