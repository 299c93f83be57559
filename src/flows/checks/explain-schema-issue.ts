import type { z } from 'zod'
import { readPath } from '../../text/template.ts'

type Issue = z.core.$ZodIssue

/** The key path of a problem in a flow or routes file, and what to change there. */
export interface SchemaIssueExplanation {
  readonly path: readonly PropertyKey[]
  readonly reason: string
}

interface SchemaDefinition {
  readonly type: string
  readonly shape?: Record<string, unknown>
  readonly valueType?: unknown
  readonly element?: unknown
  readonly innerType?: unknown
  readonly in?: unknown
}

/**
 * Picks the issue a person should fix first and words it with the fix: an unknown key comes
 * first, with the known key it most likely misspells, because a misspelt key also makes the
 * real key look missing.
 */
export function explainSchemaIssue(
  issues: readonly Issue[],
  schema: z.ZodType,
  document: unknown,
): SchemaIssueExplanation {
  const issue = issues.find((each) => each.code === 'unrecognized_keys') ?? issues[0]
  if (issue === undefined) return { path: [], reason: 'is invalid.' }

  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(shapeAt(schema, issue.path) ?? {})
    return { path: issue.path, reason: describeUnknownKeys(issue.keys, known) }
  }

  const value = readPath(document, issue.path.map(String).join('.'))
  if (value === undefined && issue.path.length > 0) {
    const key = String(issue.path.at(-1))
    return { path: issue.path, reason: `is missing. Add ${key}: to this part of the file.` }
  }
  return { path: issue.path, reason: `is invalid: ${issue.message}.` }
}

function describeUnknownKeys(keys: readonly string[], known: readonly string[]): string {
  const unknown = `has an unknown key ${keys.map((key) => `"${key}"`).join(', ')}.`
  const guesses = keys
    .map((key) => closestKey(key, known))
    .filter((guess): guess is string => guess !== undefined)

  if (guesses.length > 0) {
    return `${unknown} Did you mean ${guesses.map((guess) => `"${guess}"`).join(', ')}?`
  }
  if (known.length > 0) return `${unknown} Keys allowed here: ${known.join(', ')}.`
  return `${unknown} Remove it.`
}

/** Finds the known key within two edits (a swapped, missing or wrong letter), if any. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two letters. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = 0; i <= a.length; i += 1) rows[i]![0] = i
  for (let j = 0; j <= b.length; j += 1) rows[0]![j] = j
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY

  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1)
      }
      rows[i]![j] = distance
    }
  }
  return at(a.length, b.length)
}

/** Finds the keys of the object schema that validates the value at `path`, if any. */
function shapeAt(
  schema: unknown,
  path: readonly PropertyKey[],
): Record<string, unknown> | undefined {
  let current = unwrap(schema)
  for (const part of path) {
    const definition = definitionOf(current)
    if (definition === undefined) return undefined

    if (definition.type === 'object') current = definition.shape?.[String(part)]
    else if (definition.type === 'record') current = definition.valueType
    else if (definition.type === 'array') current = definition.element
    else return undefined
    current = unwrap(current)
  }
  return definitionOf(current)?.shape
}

/** Steps through optional, default, nullable and pipe wrappers to the schema inside. */
function unwrap(schema: unknown): unknown {
  let current = schema
  for (let definition = definitionOf(current); definition !== undefined;) {
    const inner = definition.innerType ?? (definition.type === 'pipe' ? definition.in : undefined)
    if (inner === undefined) return current
    current = inner
    definition = definitionOf(current)
  }
  return current
}

// zod 4 keeps a schema's definition at `_zod.def`.
function definitionOf(schema: unknown): SchemaDefinition | undefined {
  return (schema as { _zod?: { def?: SchemaDefinition } } | undefined)?._zod?.def
}
