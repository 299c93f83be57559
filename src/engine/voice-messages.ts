import type { LocalizedText } from './flow.ts'

/**
 * Texts the voice engine speaks or sends around a flow's own prompts. `{{key}}`, `{{label}}` and
 * `{{line}}` are filled in by the engine. The engine takes them as an option, so a deployment can
 * replace any of them.
 */
export interface VoiceMessages {
  /** Spoken name of the `*` key. */
  readonly starKey: LocalizedText
  /** One option of a spoken menu. */
  readonly pressFor: LocalizedText
  readonly pressForMore: LocalizedText
  readonly pressForBack: LocalizedText
  readonly pressToRepeat: LocalizedText
  /** Follows the prompt of a typed-input screen. */
  readonly finishWithHash: LocalizedText
  /** Follows the prompt of a recorded answer. */
  readonly recordAfterBeep: LocalizedText
  /** After a menu that got no key press. */
  readonly noChoice: LocalizedText
  /** After a typed or recorded answer that did not arrive. */
  readonly noAnswer: LocalizedText
  /** Ends a call after too many silent or invalid answers; an SMS with the options follows. */
  readonly goodbyeNoInput: LocalizedText
  /** The SMS sent after `goodbyeNoInput`; `{{options}}` is one line per option. */
  readonly optionsSms: LocalizedText
  readonly smsHandoff: LocalizedText
  /** Spoken on a final state that has no text. */
  readonly goodbye: LocalizedText
  readonly unknownNumber: LocalizedText
  /** The SMS sent once when an outbound call was not answered. */
  readonly missedCallSms: LocalizedText
  readonly callLost: LocalizedText
  readonly failure: LocalizedText
  readonly unavailable: LocalizedText
  readonly flowUpdated: LocalizedText
  readonly notYourCall: LocalizedText
}

export const defaultVoiceMessages: VoiceMessages = {
  starKey: { en: 'star', sw: 'nyota' },
  pressFor: { en: 'Press {{key}} for {{label}}.', sw: 'Bonyeza {{key}} kwa {{label}}.' },
  pressForMore: {
    en: 'Press {{key}} for more options.',
    sw: 'Bonyeza {{key}} kwa chaguo zaidi.',
  },
  pressForBack: { en: 'Press {{key}} to go back.', sw: 'Bonyeza {{key}} kurudi nyuma.' },
  pressToRepeat: { en: 'Press {{key}} to hear this again.', sw: 'Bonyeza {{key}} kusikia tena.' },
  finishWithHash: {
    en: 'Then press the hash key.',
    sw: 'Kisha bonyeza kitufe cha reli.',
  },
  recordAfterBeep: {
    en: 'Speak after the beep, then press the hash key.',
    sw: 'Ongea baada ya mlio, kisha bonyeza kitufe cha reli.',
  },
  noChoice: { en: 'We did not get your choice.', sw: 'Hatukupata chaguo lako.' },
  noAnswer: { en: 'We did not get your answer.', sw: 'Hatukupata jibu lako.' },
  goodbyeNoInput: {
    en: 'We will send you the options by SMS. Goodbye.',
    sw: 'Tutakutumia chaguo kwa SMS. Kwaheri.',
  },
  optionsSms: {
    en: '{{prompt}}\n{{options}}\nCall {{line}} again to choose.',
    sw: '{{prompt}}\n{{options}}\nPiga {{line}} tena kuchagua.',
  },
  smsHandoff: {
    en: 'We will send you an SMS to ask for the details. Goodbye.',
    sw: 'Tutakutumia SMS kuuliza maelezo. Kwaheri.',
  },
  goodbye: { en: 'Thank you for calling. Goodbye.', sw: 'Asante kwa kupiga simu. Kwaheri.' },
  unknownNumber: {
    en: 'Sorry, this number is not in service. Goodbye.',
    sw: 'Samahani, nambari hii haitumiki. Kwaheri.',
  },
  missedCallSms: {
    en: 'We tried to call you from {{line}}. Please call us back when you are free.',
    sw: 'Tulijaribu kukupigia kutoka {{line}}. Tafadhali tupigie ukipata nafasi.',
  },
  callLost: {
    en: 'Sorry, this call could not continue. Please call again.',
    sw: 'Samahani, simu hii haikuweza kuendelea. Tafadhali piga tena.',
  },
  failure: {
    en: 'Sorry, something went wrong. Please call again later.',
    sw: 'Samahani, kuna hitilafu. Tafadhali piga tena baadaye.',
  },
  unavailable: {
    en: 'Sorry, the service is temporarily unavailable. Please call again later.',
    sw: 'Samahani, huduma haipatikani kwa sasa. Tafadhali piga tena baadaye.',
  },
  flowUpdated: {
    en: 'Sorry, this service was updated. Please call again.',
    sw: 'Samahani, huduma hii imesasishwa. Tafadhali piga tena.',
  },
  notYourCall: {
    en: 'Sorry, this call is not available. Please call again.',
    sw: 'Samahani, simu hii haipatikani. Tafadhali piga tena.',
  },
}
