import type { LocalizedText } from './flow.ts'

/** Texts the engine itself shows. Each can be replaced in configuration. */
export interface EngineMessages {
  readonly invalidChoice: LocalizedText
  readonly invalidText: LocalizedText
  readonly invalidNumber: LocalizedText
  readonly invalidPhone: LocalizedText
  readonly invalidPin: LocalizedText
  readonly more: LocalizedText
  readonly back: LocalizedText
  readonly sessionEnded: LocalizedText
  readonly sessionLost: LocalizedText
  readonly failure: LocalizedText
  readonly unavailable: LocalizedText
  readonly unknownServiceCode: LocalizedText
  readonly flowUpdated: LocalizedText
  readonly notYourSession: LocalizedText
  readonly processing: LocalizedText
  readonly backgroundFailed: LocalizedText
  readonly dropped: LocalizedText
  readonly droppedNoResume: LocalizedText
  readonly resumeOffer: LocalizedText
  readonly resumeContinue: LocalizedText
  readonly resumeStartOver: LocalizedText
  readonly defaultActivity: LocalizedText
}

export const defaultMessages: EngineMessages = {
  invalidChoice: { en: 'Invalid choice.', sw: 'Chaguo si sahihi.' },
  invalidText: { en: 'Invalid entry.', sw: 'Jibu si sahihi.' },
  invalidNumber: { en: 'Invalid number.', sw: 'Nambari si sahihi.' },
  invalidPhone: { en: 'Invalid phone number.', sw: 'Nambari ya simu si sahihi.' },
  invalidPin: { en: 'Invalid PIN.', sw: 'PIN si sahihi.' },
  more: { en: 'More', sw: 'Zaidi' },
  back: { en: 'Back', sw: 'Rudi' },
  sessionEnded: {
    en: 'This session has ended. Please dial {{serviceCode}} again.',
    sw: 'Kikao hiki kimeisha. Tafadhali piga {{serviceCode}} tena.',
  },
  sessionLost: {
    en: 'Sorry, this session could not continue. Please dial {{serviceCode}} again.',
    sw: 'Samahani, kikao hiki hakikuweza kuendelea. Tafadhali piga {{serviceCode}} tena.',
  },
  failure: {
    en: 'Sorry, something went wrong. Please try again later.',
    sw: 'Samahani, kuna hitilafu. Tafadhali jaribu tena baadaye.',
  },
  unavailable: {
    en: 'Sorry, the service is temporarily unavailable. Please try again later.',
    sw: 'Samahani, huduma haipatikani kwa sasa. Tafadhali jaribu tena baadaye.',
  },
  unknownServiceCode: {
    en: 'Sorry, {{serviceCode}} is not in service. Please check the code and dial again.',
    sw: 'Samahani, {{serviceCode}} haitumiki. Tafadhali angalia nambari na upige tena.',
  },
  flowUpdated: {
    en: 'Sorry, this service was updated. Please dial {{serviceCode}} again.',
    sw: 'Samahani, huduma hii imesasishwa. Tafadhali piga {{serviceCode}} tena.',
  },
  notYourSession: {
    en: 'Sorry, this session is not available. Please dial {{serviceCode}} again.',
    sw: 'Samahani, kikao hiki hakipatikani. Tafadhali piga {{serviceCode}} tena.',
  },
  processing: {
    en: 'We are processing your request. You will receive an SMS shortly.',
    sw: 'Tunashughulikia ombi lako. Utapokea SMS hivi punde.',
  },
  backgroundFailed: {
    en: 'Sorry, we could not complete your request on {{serviceCode}}. Please try again later.',
    sw: 'Samahani, hatukuweza kukamilisha ombi lako kwa {{serviceCode}}. Tafadhali jaribu tena baadaye.',
  },
  dropped: {
    en: 'Your {{activity}} on {{serviceCode}} was not finished, so nothing was done. Dial {{serviceCode}} within {{minutes}} minutes to continue where you stopped.',
    sw: '{{activity}} yako kwa {{serviceCode}} haikukamilika, kwa hivyo hakuna kilichofanyika. Piga {{serviceCode}} ndani ya dakika {{minutes}} kuendelea ulipoachia.',
  },
  droppedNoResume: {
    en: 'Your {{activity}} on {{serviceCode}} was not finished, so nothing was done. Dial {{serviceCode}} to start again.',
    sw: '{{activity}} yako kwa {{serviceCode}} haikukamilika, kwa hivyo hakuna kilichofanyika. Piga {{serviceCode}} kuanza tena.',
  },
  resumeOffer: {
    en: 'You have an unfinished {{activity}}.',
    sw: 'Una {{activity}} ambayo haijakamilika.',
  },
  resumeContinue: { en: 'Continue', sw: 'Endelea' },
  resumeStartOver: { en: 'Start over', sw: 'Anza upya' },
  defaultActivity: { en: 'session', sw: 'kikao' },
}
