/** Reads a string at a dotted path of a flow context, or raises naming the missing path. */
export function contextString(context: Readonly<Record<string, unknown>>, path: string): string {
  const value = contextValue(context, path)
  if (typeof value !== 'string' || value === '') {
    throw new Error(
      `Context value "${path}" is missing or not a string. Save it in the flow before this task.`,
    )
  }
  return value
}

/** Reads a number at a dotted path of a flow context, or raises naming the missing path. */
export function contextNumber(context: Readonly<Record<string, unknown>>, path: string): number {
  const value = contextValue(context, path)
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(
      `Context value "${path}" is missing or not a number. Save it in the flow before this task.`,
    )
  }
  return value
}

/** Returns the caller's language from the flow context, or `en` when none is set. */
export function contextLanguage(context: Readonly<Record<string, unknown>>): string {
  const language = context['language']
  return typeof language === 'string' ? language : 'en'
}

function contextValue(context: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = context
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}
