import { z } from 'zod'
import { parseDuration } from './duration.ts'
import { parseClock } from './local-time.ts'

/** Team, category, rule and program names: they appear in URLs and metric labels. */
export const namePattern = /^[a-z][a-z0-9_-]{0,39}$/
const name = z
  .string()
  .regex(namePattern, 'use 1 to 40 lower-case letters, digits, "-" or "_", starting with a letter')

const localizedText = z.union([
  z.string().min(1),
  z.record(z.string().regex(/^[a-z]{2,3}$/, 'a language code such as "en"'), z.string().min(1)),
])
export type RulesText = z.infer<typeof localizedText>

const words = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((value) => (typeof value === 'string' ? [value] : value))

const duration = z.string().transform((text, context) => {
  const milliseconds = parseDuration(text)
  if (milliseconds === undefined || milliseconds === 0) {
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration such as 30m, 4h or 2d`,
    })
    return z.NEVER
  }
  return milliseconds
})

const clock = z.string().refine((text) => parseClock(text) !== undefined, {
  message: 'a time of day such as "08:00" or "17:30"',
})

const pattern = z.string().superRefine((source, context) => {
  try {
    new RegExp(source, 'iu')
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: `not a valid regular expression (${(error as Error).message})`,
    })
  }
})

/** What a test of a rule looks at; each test object has exactly one of these keys. */
export const testKeys = [
  'all',
  'any',
  'not',
  'anyWord',
  'allWords',
  'phrase',
  'startsWith',
  'pattern',
  'number',
  'language',
  'lastReceived',
  'timeOfDay',
] as const

export interface RuleTestSpec {
  readonly all?: readonly RuleTestSpec[]
  readonly any?: readonly RuleTestSpec[]
  readonly not?: RuleTestSpec
  readonly anyWord?: readonly string[]
  readonly allWords?: readonly string[]
  readonly phrase?: string
  readonly startsWith?: string
  readonly pattern?: string
  readonly number?: { readonly min?: number; readonly max?: number }
  readonly language?: readonly string[]
  readonly lastReceived?: {
    readonly flow?: string
    readonly campaign?: string
    readonly within?: number
  }
  readonly timeOfDay?: { readonly from: string; readonly to: string; readonly timezone?: string }
}

export const ruleTestSchema: z.ZodType<RuleTestSpec, unknown> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(ruleTestSchema).min(1).optional(),
      any: z.array(ruleTestSchema).min(1).optional(),
      not: ruleTestSchema.optional(),
      anyWord: words.optional(),
      allWords: words.optional(),
      phrase: z.string().min(1).optional(),
      startsWith: z.string().min(1).optional(),
      pattern: pattern.optional(),
      number: z
        .strictObject({ min: z.number().optional(), max: z.number().optional() })
        .refine((range) => range.min !== undefined || range.max !== undefined, {
          message: 'give min:, max: or both',
        })
        .optional(),
      language: words.optional(),
      lastReceived: z
        .strictObject({
          flow: z.string().min(1).optional(),
          campaign: z.string().min(1).optional(),
          within: duration.optional(),
        })
        .refine((last) => last.flow !== undefined || last.campaign !== undefined, {
          message: 'give flow: or campaign:',
        })
        .optional(),
      timeOfDay: z
        .strictObject({ from: clock, to: clock, timezone: z.string().min(1).optional() })
        .optional(),
    })
    .superRefine((test, context) => {
      const keys = Object.keys(test)
      if (keys.length === 1) return
      const given = keys.length === 0 ? 'none' : `${keys.length} (${keys.join(', ')})`
      context.addIssue({
        code: 'custom',
        message: `must hold one test, not ${given}; combine several with all: or any:`,
      })
    }),
)

const webhookSchema = z.strictObject({
  url: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//.test(url), 'must start with http:// or https://'),
  /** Milliseconds the POST may take. */
  timeoutMs: z.number().int().min(100).max(30_000).default(5000),
})

const teamSchema = z.strictObject({
  /** Number in E.164 form that gets an SMS for every urgent or escalated item. */
  onCall: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as "+254711000900"')
    .optional(),
  webhook: webhookSchema.optional(),
})

const categorySchema = z.strictObject({
  /** How texts to the person name the request: "payment query", "swali la malipo". */
  name: localizedText.optional(),
  /** Sent at once with the reference; `{{reference}}` is filled in. */
  acknowledgement: localizedText.optional(),
  /** An item still not claimed after this long is escalated, once. */
  claimWithin: duration.optional(),
  /** An item still not resolved after this long gets the person one "still working" SMS. */
  resolveWithin: duration.optional(),
  stillWorking: localizedText.optional(),
  resolved: localizedText.optional(),
})

const ruleSchema = z.strictObject({
  id: name,
  description: z.string().optional(),
  default: z.literal(true).optional(),
  when: ruleTestSchema.optional(),
  category: name,
  priority: z.enum(['urgent', 'high', 'normal']).default('normal'),
  answer: z
    .strictObject({
      /** The automatic reply; `{{reference}}` is filled in. */
      text: localizedText,
      /** Flow started over SMS when an SMS flow starter is wired; the text is sent otherwise. */
      flow: name.optional(),
    })
    .optional(),
  queue: name.optional(),
  escalate: name.optional(),
})

/** A `machines/<program>.rules.yaml` file as written. */
export const rulesFileSchema = z.strictObject({
  program: name,
  /** The `to` of the messages these rules decide: SMS short codes, USSD codes, voice numbers. */
  shortCodes: z.array(z.string().min(1)).min(1),
  languages: z.array(z.string().regex(/^[a-z]{2,3}$/, 'a language code such as "en"')).min(1),
  defaultLanguage: z.string().optional(),
  timezone: z.string().optional(),
  teams: z.record(name, teamSchema).default({}),
  categories: z.record(name, categorySchema),
  rules: z.array(ruleSchema).min(1),
})

export type RulesFile = z.infer<typeof rulesFileSchema>
export type RuleSpec = z.infer<typeof ruleSchema>
export type CategorySpec = z.infer<typeof categorySchema>
export type TeamSpec = z.infer<typeof teamSchema>
