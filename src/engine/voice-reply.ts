/** Prompt a call plays while it waits for key presses or a recording. */
export type VoicePrompt =
  { readonly kind: 'say'; readonly text: string } | { readonly kind: 'play'; readonly url: string }

/**
 * One step of a call script, independent of the provider's markup. Every action that leads back
 * to Switchboard carries `step`, the session version it belongs to, so a retried callback is
 * recognised.
 */
export type VoiceAction =
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'play'; readonly url: string }
  | {
      readonly kind: 'getDigits'
      readonly prompt: VoicePrompt
      /** Key presses that end the input without the finish key; absent for typed input. */
      readonly numDigits?: number
      readonly finishOnKey: string
      readonly timeoutSeconds: number
      readonly step: number
    }
  | {
      readonly kind: 'record'
      readonly prompt: VoicePrompt
      readonly finishOnKey: string
      readonly maxLengthSeconds: number
      readonly step: number
    }
  /** Calls Switchboard again after the input before it timed out with nothing entered. */
  | { readonly kind: 'redirect'; readonly step: number }

/** The script for one voice callback; empty for the final notification of a call. */
export interface VoiceReply {
  readonly actions: readonly VoiceAction[]
}

/** The spoken text of a reply, for logs and for the session's `lastReply`. */
export function spokenText(reply: VoiceReply): string {
  const texts: string[] = []
  for (const action of reply.actions) {
    if (action.kind === 'say') texts.push(action.text)
    if (action.kind === 'getDigits' || action.kind === 'record') {
      if (action.prompt.kind === 'say') texts.push(action.prompt.text)
    }
  }
  return texts.join(' ')
}
