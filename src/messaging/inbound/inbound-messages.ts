import type { LocalizedText } from '../../engine/flow.ts'

/** Texts the inbound SMS handler sends, in English and Swahili. */
export interface InboundMessages {
  /** Reply to STOP and the other opt-out words. */
  readonly optedOut: LocalizedText
  /** Reply to `STOP <digits>`: the whole number is opted out, and the text says so. */
  readonly optedOutWithReference: LocalizedText
  /** Reply to START. */
  readonly optedIn: LocalizedText
  /** Reply to HELP on a short code that has no help text in `routes.yaml`. */
  readonly help: LocalizedText
  /** Reply to a typo of a choice word (`yse`); nothing is done until the word comes exactly. */
  readonly didYouMean: LocalizedText
  /** Reply that one message could answer several questions; `{{choices}}` lists them. */
  readonly whichOne: LocalizedText
  /** One entry of that list: `{{letter}}` and the question's `{{summary}}`. */
  readonly whichChoice: LocalizedText
}

export const defaultInboundMessages: InboundMessages = {
  optedOut: {
    en: 'You will get no more SMS from us. Reply START to get them again.',
    sw: 'Hutapokea SMS zaidi kutoka kwetu. Jibu START kuzipokea tena.',
  },
  optedOutWithReference: {
    en: 'You will get no more SMS from us, about {{reference}} or anything else. Reply START to get them again.',
    sw: 'Hutapokea SMS zaidi kutoka kwetu, kuhusu {{reference}} wala jambo lingine. Jibu START kuzipokea tena.',
  },
  optedIn: {
    en: 'You will get our SMS again. Reply STOP to stop them.',
    sw: 'Utapokea SMS zetu tena. Jibu STOP kuzisimamisha.',
  },
  help: {
    en: 'Reply STOP to stop our SMS, or START to get them again.',
    sw: 'Jibu STOP kusimamisha SMS zetu, au START kuzipokea tena.',
  },
  didYouMean: {
    en: 'Did you mean {{word}}? Reply {{word}} to confirm.',
    sw: 'Je, ulimaanisha {{word}}? Jibu {{word}} kuthibitisha.',
  },
  whichOne: {
    en: 'Which one do you mean? Reply {{choices}}.',
    sw: 'Unamaanisha lipi? Jibu {{choices}}.',
  },
  whichChoice: { en: '{{letter}} for {{summary}}', sw: '{{letter}} kwa {{summary}}' },
}
