const placeholder = /\{\{\s*([\w.]+)\s*\}\}/g

/** Reads a dotted path (`clinic.name`) from a value, or undefined when any step is missing. */
export function readPath(source: unknown, path: string): unknown {
  let value: unknown = source
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** Fills `{{path}}` placeholders from `values`; a missing value renders as an empty string. */
export function fillTemplate(template: string, values: unknown): string {
  return template.replace(placeholder, (_match, path: string) => {
    const value = readPath(values, path)
    if (value === undefined || value === null) return ''
    return String(value)
  })
}

/** Lists the placeholder paths a template uses. */
export function templatePaths(template: string): string[] {
  return [...template.matchAll(placeholder)].map((match) => match[1] ?? '')
}
