/** One problem `checkFlow` found, in words a program team can act on. */
export interface Finding {
  readonly level: 'error' | 'warning'
  readonly flow: string
  readonly state?: string
  readonly language?: string
  readonly message: string
}

export interface CheckSettings {
  /** Maximum characters of a USSD screen, as USSD_SCREEN_LIMIT sets it. */
  readonly screenLimit: number
  readonly defaultCountryCode: string
}
