/** Default timezone of time-of-day tests: East Africa Time (UTC+3, no daylight saving). */
export const defaultTimezone = 'Africa/Nairobi'

const formatters = new Map<string, Intl.DateTimeFormat>()

/** True when `timezone` is an IANA zone name that this Node.js build knows. */
export function isKnownTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone)
    return true
  } catch {
    return false
  }
}

/** Minutes since local midnight in `timezone` at `at` (milliseconds since the epoch). */
export function minutesOfDay(at: number, timezone: string): number {
  const parts = formatterFor(timezone).formatToParts(new Date(at))
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0)
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0)
  // hourCycle h23 prints midnight as 00, and `% 24` covers an ICU build that prints 24.
  return (hour % 24) * 60 + minute
}

/** Reads `HH:MM` (00:00 to 23:59, or 24:00 for the end of the day) as minutes since midnight. */
export function parseClock(text: string): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text)
  if (match === null) return undefined
  const minutes = Number(match[1]) * 60 + Number(match[2])
  return minutes <= 24 * 60 ? minutes : undefined
}

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timezone, formatter)
  }
  return formatter
}
