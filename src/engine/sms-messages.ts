import type { LocalizedText } from './flow.ts'

/** Texts the SMS engine adds around a flow's own screens, in English and Swahili. */
export interface SmsEngineMessages {
  /** The line that lists the options; `{{choices}}` is the `choice` texts joined by commas. */
  readonly choices: LocalizedText
  /** One option in that line. */
  readonly choice: LocalizedText
  /** Last line of a page of options when more follow; `{{key}}` is the flow's "more" key. */
  readonly more: LocalizedText
  /** First line of a screen sent again because the reply matched none of its options. */
  readonly notAChoice: LocalizedText
  /** Sent when the person cancels the flow that waited for their reply (CANCEL, or NO). */
  readonly cancelled: LocalizedText
}

export const defaultSmsEngineMessages: SmsEngineMessages = {
  choices: { en: 'Reply {{choices}}.', sw: 'Jibu {{choices}}.' },
  choice: { en: '{{number}} for {{label}}', sw: '{{number}} kwa {{label}}' },
  more: { en: 'Reply {{key}} for more.', sw: 'Jibu {{key}} kwa zaidi.' },
  notAChoice: {
    en: 'Sorry, that is not one of the choices.',
    sw: 'Samahani, hilo si mojawapo ya machaguo.',
  },
  cancelled: {
    en: 'Cancelled. Nothing more will be done about this.',
    sw: 'Imeghairiwa. Hakuna zaidi kitakachofanywa kuhusu hili.',
  },
}
