import { createHash } from 'node:crypto'
import { addDays, nairobiDate } from './calendar.ts'

/**
 * In-memory stand-in for a lender's loan system, so the example loans flow runs without one.
 * Every phone number gets a demo loan with a payment history the first time it is used. A real
 * deployment replaces these calls in `loans.tasks.ts` with calls to its own API.
 */

export interface LoanAccount {
  readonly msisdn: string
  readonly loanId: string
  /** KES still owed. */
  balance: number
  /** KES of the next instalment. */
  readonly dueAmount: number
  /** Nairobi calendar date of the next instalment, `YYYY-MM-DD`. */
  readonly dueDate: string
  /** Payments made before this service, newest first. */
  readonly history: readonly Payment[]
}

export interface Payment {
  readonly mpesaCode: string
  /** KES. */
  readonly amount: number
  /** Nairobi calendar date, `YYYY-MM-DD`. */
  readonly date: string
}

/** A repayment made through the loans flow. */
export interface Repayment extends Payment {
  readonly reference: string
  readonly msisdn: string
  readonly loanId: string
  readonly idempotencyKey: string
  /** KES owed after this repayment. */
  readonly balanceAfter: number
}

export interface ProblemReport {
  readonly reference: string
  readonly msisdn: string
  readonly mpesaCode: string
  readonly description: string
}

export type RepaymentResult =
  | { readonly accepted: true; readonly repayment: Repayment }
  | { readonly accepted: false; readonly balance: number }

const openingBalance = 12000
const instalment = 1500
// Weekly payments on the demo loan, newest first.
const historyAmounts = [1500, 1500, 1000, 1500, 2000, 500, 1500, 1500, 1000, 1500, 1500, 2000]
// M-Pesa transaction codes are 10 upper-case letters and digits.
const codeAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'

class LoansData {
  now: () => Date = () => new Date()
  accounts = new Map<string, LoanAccount>()
  repayments: Repayment[] = []
  reports: ProblemReport[] = []
  private readonly byIdempotencyKey = new Map<string, unknown>()
  // Next reference number for each prefix, from 1001.
  private readonly nextNumbers = new Map<string, number>()

  /** Forgets every account, repayment and report, and sets the clock (the system clock by default). */
  reset(options: { now?: () => Date } = {}): void {
    this.now = options.now ?? (() => new Date())
    this.accounts.clear()
    this.repayments = []
    this.reports = []
    this.byIdempotencyKey.clear()
    this.nextNumbers.clear()
  }

  /** Returns the caller's loan, opening one with a demo history on first use. */
  account(msisdn: string): LoanAccount {
    const existing = this.accounts.get(msisdn)
    if (existing !== undefined) return existing

    const today = nairobiDate(this.now())
    const account: LoanAccount = {
      msisdn,
      loanId: `LN${msisdn.slice(-5)}`,
      balance: openingBalance,
      dueAmount: instalment,
      dueDate: addDays(today, 5),
      history: historyAmounts.map((amount, index) => ({
        mpesaCode: mpesaCode(`${msisdn}:${index}`),
        amount,
        date: addDays(today, -7 * (index + 1)),
      })),
    }
    this.accounts.set(msisdn, account)
    return account
  }

  /** Lists every payment on the caller's loan, newest first. */
  payments(msisdn: string): Payment[] {
    const made = this.repayments.filter((repayment) => repayment.msisdn === msisdn).reverse()
    return [...made, ...this.account(msisdn).history]
  }

  /**
   * Records a repayment once per idempotency key. A repeated key returns the first result. An
   * amount above the balance is not accepted.
   */
  repay(request: { msisdn: string; amount: number; idempotencyKey: string }): RepaymentResult {
    return this.once(request.idempotencyKey, (): RepaymentResult => {
      const account = this.account(request.msisdn)
      if (request.amount > account.balance) return { accepted: false, balance: account.balance }

      account.balance -= request.amount
      const repayment: Repayment = {
        reference: this.reference('LR'),
        msisdn: request.msisdn,
        loanId: account.loanId,
        mpesaCode: mpesaCode(request.idempotencyKey),
        amount: request.amount,
        date: nairobiDate(this.now()),
        idempotencyKey: request.idempotencyKey,
        balanceAfter: account.balance,
      }
      this.repayments.push(repayment)
      return { accepted: true, repayment }
    })
  }

  /** Records a problem with a payment once per idempotency key. */
  report(request: {
    msisdn: string
    mpesaCode: string
    description: string
    idempotencyKey: string
  }): ProblemReport {
    return this.once(request.idempotencyKey, () => {
      const report: ProblemReport = {
        reference: this.reference('PR'),
        msisdn: request.msisdn,
        mpesaCode: request.mpesaCode.toUpperCase(),
        description: request.description,
      }
      this.reports.push(report)
      return report
    })
  }

  private once<T>(idempotencyKey: string, create: () => T): T {
    if (this.byIdempotencyKey.has(idempotencyKey))
      return this.byIdempotencyKey.get(idempotencyKey) as T
    const result = create()
    this.byIdempotencyKey.set(idempotencyKey, result)
    return result
  }

  private reference(prefix: string): string {
    const number = this.nextNumbers.get(prefix) ?? 1001
    this.nextNumbers.set(prefix, number + 1)
    return `${prefix}${number}`
  }
}

/** Makes up a stable M-Pesa code for `seed`, starting with a letter as real codes do. */
function mpesaCode(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest()
  let code = ''
  for (const byte of bytes.subarray(0, 10)) code += codeAlphabet[byte % codeAlphabet.length]
  const firstLetter = codeAlphabet[(bytes[10] ?? 0) % 24]
  return `${firstLetter}${code.slice(1)}`
}

export const loansData = new LoansData()
