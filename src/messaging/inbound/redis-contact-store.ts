import type { RedisStoreOptions } from '../../store/redis-store.ts'
import type { ContactRecord } from '../../store/session-store.ts'
import { maskMsisdn } from '../../text/phone.ts'
import {
  assertE164,
  ContactConflictError,
  defaultUpdateAttempts,
  emptyContact,
  readContact,
  type Contact,
  type ContactStore,
} from './contacts.ts'
import { connectRedis, runCommand, type RedisClient } from './redis-client.ts'

// Compare-and-set on the whole stored value: it saves only if the key still contains exactly what
// the update read (ARGV[1], empty for a missing key). Comparing the value rather than a version
// also catches writers that know nothing of versions, such as the session store's saveContact.
// One key and no WATCH, so it runs on Redis Cluster.
const compareAndSetScript = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`

type ScriptClient = RedisClient & {
  switchboardContactSet(key: string, expected: string, value: string): Promise<number>
}

export interface RedisContactStoreOptions {
  /** Milliseconds since the epoch, for `updatedAt`. */
  readonly now?: () => number
  readonly maxAttempts?: number
}

/**
 * Contacts in Redis, one JSON string per subscriber under `contact:{<E.164>}`, the key and shape
 * the session store uses for its `ContactRecord`. Keys have no time to live, as there.
 */
export class RedisContactStore implements ContactStore {
  private readonly client: ScriptClient
  private readonly now: () => number
  private readonly maxAttempts: number
  private readonly ownsClient: boolean

  /**
   * Uses a connected client, which must have the session store's key prefix to share its
   * contacts. With `ownsClient`, `close` also closes it.
   */
  constructor(
    client: RedisClient,
    options: RedisContactStoreOptions & { ownsClient?: boolean } = {},
  ) {
    client.defineCommand('switchboardContactSet', { numberOfKeys: 1, lua: compareAndSetScript })
    this.client = client as ScriptClient
    this.now = options.now ?? Date.now
    this.maxAttempts = options.maxAttempts ?? defaultUpdateAttempts
    this.ownsClient = options.ownsClient ?? false
  }

  /** Connects to the Redis at `url` with fail-fast options; `close` closes the connection. */
  static async connect(
    options: RedisStoreOptions &
      RedisContactStoreOptions & { url: string; readyTimeoutMs?: number },
  ): Promise<RedisContactStore> {
    const client = await connectRedis(options)
    return new RedisContactStore(client, { ...options, ownsClient: true })
  }

  async get(msisdn: string): Promise<Contact | null> {
    const raw = await runCommand(() => this.client.get(contactKey(msisdn)))
    return raw === null ? null : readContact(JSON.parse(raw) as ContactRecord)
  }

  async update(msisdn: string, change: (contact: Contact) => Contact): Promise<Contact> {
    assertE164(msisdn)
    const key = contactKey(msisdn)

    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const raw = await runCommand(() => this.client.get(key))
      const current =
        raw === null
          ? emptyContact(msisdn, this.now())
          : readContact(JSON.parse(raw) as ContactRecord)
      const next = change(current)
      if (next === current) return current

      const saved: Contact = { ...next, msisdn, updatedAt: this.now() }
      const value = JSON.stringify(saved)
      const swapped = await runCommand(() =>
        this.client.switchboardContactSet(key, raw ?? '', value),
      )
      if (swapped === 1) return saved
    }
    throw new ContactConflictError(
      `Contact ${maskMsisdn(msisdn)} changed during each of ${this.maxAttempts} update attempts. Retry later.`,
    )
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return
    await this.client.quit().catch(() => this.client.disconnect())
  }
}

/** Returns the key of one contact, without the client's key prefix, as the session store has it. */
export function contactKey(msisdn: string): string {
  return `contact:{${msisdn}}`
}
