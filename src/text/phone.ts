/**
 * National significant number lengths for the countries Switchboard is run in most.
 * Source: ITU-T E.164 national numbering plans as published by each regulator.
 */
const nationalLengths: Record<string, number[]> = {
  '254': [9], // Kenya
  '255': [9], // Tanzania
  '256': [9], // Uganda
  '250': [9], // Rwanda
  '233': [9], // Ghana
  '234': [10], // Nigeria
  '27': [9], // South Africa
  '260': [9], // Zambia
  '265': [9], // Malawi
  '251': [9], // Ethiopia
}

const separators = /[\s\-().]/g

/**
 * Normalises a phone number to E.164 (`+254700000001`), or returns null when it is not one.
 *
 * Accepts the forms subscribers and gateways send: `+254…`, `254…`, `00254…`, the local
 * `07…` form, the country code followed by the local trunk `0` (`+2540…`), spaces and
 * dashes, and a leading space left by a `+` that was form-decoded as a space.
 */
export function normalizeMsisdn(raw: string, defaultCountryCode: string): string | null {
  // A form body that did not percent-encode `+254...` decodes to ` 254...`: the leading space is
  // the `+`, so the number is international whatever its country.
  const decodedPlus = /^ [1-9]/.test(raw)
  let digits = raw.trim().replace(separators, '')

  if (digits.startsWith('+') || decodedPlus) digits = digits.replace(/^\+/, '')
  else if (digits.startsWith('00')) digits = digits.slice(2)
  else if (digits.startsWith('0')) digits = defaultCountryCode + digits.slice(1)
  else if (!startsWithKnownCountry(digits, defaultCountryCode)) digits = defaultCountryCode + digits

  if (!/^\d+$/.test(digits)) return null

  const countryCode = findCountryCode(digits, defaultCountryCode)
  // E.164 numbers are 8 to 15 digits; without a numbering plan nothing more can be checked.
  if (countryCode === undefined)
    return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null

  let national = digits.slice(countryCode.length)
  if (national.startsWith('0')) national = national.slice(1)

  if (!isPlausibleNationalNumber(countryCode, national)) return null
  return `+${countryCode}${national}`
}

function startsWithKnownCountry(digits: string, defaultCountryCode: string): boolean {
  if (digits.startsWith(defaultCountryCode)) return digits.length > 9
  return Object.keys(nationalLengths).some((code) => digits.startsWith(code) && digits.length > 10)
}

function findCountryCode(digits: string, defaultCountryCode: string): string | undefined {
  if (digits.startsWith(defaultCountryCode)) return defaultCountryCode
  return Object.keys(nationalLengths).find((code) => digits.startsWith(code))
}

function isPlausibleNationalNumber(countryCode: string, national: string): boolean {
  const lengths = nationalLengths[countryCode]
  if (lengths) return lengths.includes(national.length)

  // E.164 allows at most 15 digits in all; shorter than 7 national digits is never a mobile.
  const total = countryCode.length + national.length
  return national.length >= 7 && total <= 15
}

/** Masks a phone number for logs, keeping the country code and the last three digits. */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length <= 7) return '***'
  return `${msisdn.slice(0, 4)}*****${msisdn.slice(-3)}`
}
