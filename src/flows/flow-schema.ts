import { z } from 'zod'

const languageCode = z.string().regex(/^[a-z]{2,3}$/, 'a language code such as "en" or "sw"')
const localizedText = z.union([z.string().min(1), z.record(languageCode, z.string().min(1))])
const stateName = z
  .string()
  .regex(/^[A-Za-z][\w-]*$/, 'a state name of letters, digits, "_" or "-"')
const contextKey = z.string().regex(/^[A-Za-z_]\w*$/, 'a context key of letters, digits or "_"')

const optionSchema = z.strictObject({
  id: z.string().min(1).optional(),
  label: localizedText,
  next: stateName,
  /** Constant values stored in the context when the option is chosen. */
  set: z.record(contextKey, z.unknown()).optional(),
  /** Language the caller switches to, remembered for their phone number. */
  setLanguage: languageCode.optional(),
})

const inputSchema = z.strictObject({
  type: z.enum(['text', 'number', 'phone', 'pin']),
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().positive().optional(),
  pattern: z.string().optional(),
  error: localizedText.optional(),
  sensitive: z.boolean().optional(),
})

const httpsUrl = z
  .string()
  .regex(/^https:\/\/\S+$/, 'an https URL of an audio file, such as "https://example.org/menu.mp3"')

/** The state's voice rendering on a call. */
const voiceSchema = z.strictObject({
  prompt: localizedText.optional(),
  /** Recorded prompt per language, played instead of the spoken prompt and options. */
  audio: z.record(languageCode, httpsUrl).optional(),
  /** How a text input is answered on a call: a recording, or a hand-over to SMS. */
  freeText: z.enum(['record', 'sms']).optional(),
})

const conditionSchema = z.strictObject({
  /** Context path that must hold a value other than null, false, 0, "" or an empty list. */
  when: z.string().min(1).optional(),
  next: stateName,
})

const stateSchema = z
  .strictObject({
    prompt: localizedText.optional(),
    options: z.array(optionSchema).min(1).optional(),
    list: z.strictObject({ from: z.string().min(1), label: z.string().min(1) }).optional(),
    input: inputSchema.optional(),
    task: z.string().min(1).optional(),
    branch: z.array(conditionSchema).min(1).optional(),
    end: localizedText.optional(),
    save: contextKey.optional(),
    next: stateName.optional(),
    onError: stateName.optional(),
    sms: localizedText.optional(),
    confirm: z.boolean().optional(),
    back: z.boolean().optional(),
    voice: voiceSchema.optional(),
    /** SMS sent when the session drops while this screen waits, in place of the flow's. */
    onDrop: localizedText.optional(),
    /** Name of the activity on this screen ("registration"), for the offer to continue it. */
    activity: localizedText.optional(),
    /** Where the flow goes when the screen gets no answer in time; kept in the store. */
    after: z.strictObject({ seconds: z.number().int().positive(), next: stateName }).optional(),
  })
  .superRefine((state, ctx) => {
    const kinds = ['options', 'list', 'input', 'task', 'branch', 'end'] as const
    const present = kinds.filter((kind) => state[kind] !== undefined)
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? 'a state needs one of options, list, input, task, branch or end'
            : `a state has exactly one of options, list, input, task, branch or end, but this one has ${present.join(' and ')}`,
      })
      return
    }

    const kind = present[0]
    const waits = kind === 'options' || kind === 'list' || kind === 'input'
    if (waits && state.prompt === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['prompt'],
        message: `a state with ${kind} needs a prompt`,
      })
    }
    if (state.voice !== undefined && !waits) {
      ctx.addIssue({
        code: 'custom',
        path: ['voice'],
        message: `voice applies to states with options, list or input, not to a state with ${kind}`,
      })
    }
    if (state.voice?.freeText !== undefined && state.input?.type !== 'text') {
      ctx.addIssue({
        code: 'custom',
        path: ['voice', 'freeText'],
        message:
          'voice.freeText applies only to input of type text, because callers key other inputs in on the phone pad',
      })
    }
    if ((kind === 'list' || kind === 'input' || kind === 'task') && state.next === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['next'],
        message: `a state with ${kind} needs next: the state to go to`,
      })
    }
  })

export const flowFileSchema = z.strictObject({
  id: z.string().regex(/^[a-z][\w-]*$/, 'a flow id of lower-case letters, digits, "_" or "-"'),
  /** Raise it when a change would break sessions in progress; see migrations. */
  version: z.number().int().positive().default(1),
  languages: z.array(languageCode).min(1),
  defaultLanguage: languageCode.optional(),
  start: stateName,
  home: stateName.optional(),
  /** State shown first to a caller whose language is not known yet. */
  chooseLanguage: stateName.optional(),
  navigation: z
    .strictObject({ back: z.string().min(1), home: z.string().min(1), more: z.string().min(1) })
    .partial()
    .optional(),
  context: z.record(contextKey, z.unknown()).optional(),
  /** Example context values, used to render screens when checking the flow. */
  sample: z.record(z.string(), z.unknown()).optional(),
  /** Name of the flow's purpose ("appointment booking"), used in drop SMS and the offer to continue. */
  title: localizedText.optional(),
  /** SMS sent when a session drops mid-flow; templated with the context. */
  onDrop: localizedText.optional(),
  /** Minutes after a drop during which redialling offers to continue; 0 never offers. */
  resumeMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10),
  states: z.record(stateName, stateSchema),
})

export type FlowFile = z.infer<typeof flowFileSchema>
export type FlowFileState = FlowFile['states'][string]
