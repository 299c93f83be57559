// Kenya keeps East Africa Time all year: UTC+3, no daylight saving.
const nairobiOffsetMs = 3 * 60 * 60 * 1000
const dayMs = 24 * 60 * 60 * 1000

const weekdays: Record<string, readonly string[]> = {
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  sw: ['Jumapili', 'Jumatatu', 'Jumanne', 'Jumatano', 'Alhamisi', 'Ijumaa', 'Jumamosi'],
}

const months: Record<string, readonly string[]> = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  sw: [
    'Januari',
    'Februari',
    'Machi',
    'Aprili',
    'Mei',
    'Juni',
    'Julai',
    'Agosti',
    'Septemba',
    'Oktoba',
    'Novemba',
    'Desemba',
  ],
}

/** Returns the calendar date in Nairobi at `instant`, as `YYYY-MM-DD`. */
export function nairobiDate(instant: Date): string {
  return new Date(instant.getTime() + nairobiOffsetMs).toISOString().slice(0, 10)
}

/** Adds `days` (negative to go back) to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10)
}

/** Returns the day of the week of a `YYYY-MM-DD` date, 0 for Sunday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}

/** Formats a `YYYY-MM-DD` date for a menu line: `Tue 4 Mar`, or `Jumanne 4 Machi` in Swahili. */
export function formatDay(date: string, language: string): string {
  const day = new Date(`${date}T00:00:00Z`)
  const names = weekdays[language] ?? weekdays['en']
  return `${names?.[day.getUTCDay()]} ${formatDate(date, language)}`
}

/** Formats a `YYYY-MM-DD` date without the weekday: `4 Mar`, or `4 Machi` in Swahili. */
export function formatDate(date: string, language: string): string {
  const day = new Date(`${date}T00:00:00Z`)
  const names = months[language] ?? months['en']
  return `${day.getUTCDate()} ${names?.[day.getUTCMonth()]}`
}

/**
 * Formats a 24-hour `HH:MM` time. English keeps it as it is. Swahili counts the hours from
 * 06:00 and 18:00 and names the part of the day, so 09:00 is `saa 3:00 asubuhi`.
 */
export function formatTime(time: string, language: string): string {
  if (language !== 'sw') return time

  const [hours = 0, minutes = 0] = time.split(':').map(Number)
  const swahiliHour = (hours + 6) % 12 || 12
  return `saa ${swahiliHour}:${String(minutes).padStart(2, '0')} ${swahiliDayPart(hours)}`
}

function swahiliDayPart(hours: number): string {
  if (hours < 5 || hours >= 19) return 'usiku'
  if (hours < 12) return 'asubuhi'
  if (hours < 15) return 'mchana'
  if (hours < 17) return 'alasiri'
  return 'jioni'
}
