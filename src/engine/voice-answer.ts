import { normalizeInput } from '../text/digits.ts'
import type { VoiceCallback } from './voice-call.ts'
import { finishKey } from './voice-screen.ts'

/** The caller's input on one callback. */
export type VoiceAnswer =
  | { readonly kind: 'silent' }
  | { readonly kind: 'digits'; readonly value: string }
  | { readonly kind: 'recording'; readonly value: string }

/**
 * Reads what the caller gave: a recording on a record screen, otherwise the keys pressed with the
 * finish key removed (`1#` is `1`). No keys, or only the finish key, is silence.
 */
export function readAnswer(call: VoiceCallback, recording: boolean): VoiceAnswer {
  if (recording) {
    const url = call.recordingUrl?.trim() ?? ''
    return url === '' ? { kind: 'silent' } : { kind: 'recording', value: url }
  }

  let digits = normalizeInput(call.digits ?? '').replace(/\s+/g, '')
  if (digits.endsWith(finishKey)) digits = digits.slice(0, -finishKey.length)
  if (digits === '') return { kind: 'silent' }
  return { kind: 'digits', value: digits }
}
