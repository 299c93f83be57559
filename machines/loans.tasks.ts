import type { Task } from '../src/engine/flow.ts'
import { formatDate } from './example-data/calendar.ts'
import { loansData } from './example-data/loans-data.ts'
import { contextLanguage, contextNumber, contextString } from './example-data/read-context.ts'

export const tasks: Record<string, Task> = {
  loadAccount: async ({ context, msisdn }) => {
    const account = loansData.account(msisdn)
    return {
      loanId: account.loanId,
      balance: account.balance,
      dueAmount: account.dueAmount,
      dueLabel: formatDate(account.dueDate, contextLanguage(context)),
    }
  },

  loadPayments: async ({ context, msisdn }) => {
    const language = contextLanguage(context)
    return loansData.payments(msisdn).map((payment) => ({
      mpesaCode: payment.mpesaCode,
      amount: payment.amount,
      dateLabel: formatDate(payment.date, language),
    }))
  },

  recordRepayment: async ({ context, msisdn, idempotencyKey }) => {
    const result = loansData.repay({
      msisdn,
      amount: contextNumber(context, 'amount'),
      idempotencyKey,
    })
    if (!result.accepted) return { accepted: false, balance: result.balance }

    const repayment = result.repayment
    return {
      accepted: true,
      reference: repayment.reference,
      loanId: repayment.loanId,
      balance: repayment.balanceAfter,
    }
  },

  reportProblem: async ({ context, msisdn, idempotencyKey }) => {
    const report = loansData.report({
      msisdn,
      mpesaCode: contextString(context, 'mpesaCode'),
      description: contextString(context, 'problem'),
      idempotencyKey,
    })
    return { reference: report.reference, mpesaCode: report.mpesaCode }
  },
}
