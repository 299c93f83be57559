/** A rules file that cannot be loaded, with the file, the rule or key, and what to change. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError'

  constructor(
    readonly file: string,
    /** Where in the file: `rule "balance" (rules[1]) when.anyWord`, or a key path. */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${file}: ${where === '' ? '' : `${where} `}${reason}`)
  }
}
