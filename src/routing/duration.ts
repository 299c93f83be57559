const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Reads a duration such as `90s`, `15m`, `4h` or `2d` as milliseconds, or returns undefined when
 * the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim())
  if (match === null) return undefined
  return Number(match[1]) * (units[match[2] ?? ''] ?? 0)
}
