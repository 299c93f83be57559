// `2017-05-03T06:04:45Z`, `2017-05-03 06:04:45`, optional fraction, optional `Z` or `+03:00`.
const datePattern =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Reads a provider timestamp as milliseconds since the epoch. A time without a zone is UTC,
 * because Africa's Talking sends `2017-05-03 06:04:45` for the same instant as
 * `2017-05-03T06:04:45Z`. Returns null for a missing or invalid date (`2024-02-30 10:00:00`).
 */
export function parseProviderDate(raw: string | undefined): number | null {
  const match = datePattern.exec(raw?.trim() ?? '')
  if (!match) return null

  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const milliseconds = Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3))
  const local = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds)

  // Date.UTC rolls 30 February over to March; a date that does not read back was invalid.
  const check = new Date(local)
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  if (!valid) return null

  return local - offsetMinutes(match[8]) * 60_000
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0

  const digits = zone.slice(1).replace(':', '')
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))
  return zone.startsWith('-') ? -minutes : minutes
}
