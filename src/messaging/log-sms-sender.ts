import type { Logger } from 'pino'
import { maskMsisdn } from '../text/phone.ts'
import type { SendOutcome, SmsRequest, SmsSender } from './sms-sender.ts'

/**
 * The embedded default when no SMS account is configured: writes each SMS to the log instead of
 * sending it, so `npm start` shows what would go out. Every message counts as sent.
 */
export class LogSmsSender implements SmsSender {
  private count = 0

  constructor(private readonly logger: Logger) {}

  async send(request: SmsRequest): Promise<SendOutcome> {
    this.count += 1
    const messageId = `log-${this.count}`
    this.logger.info(
      { to: maskMsisdn(request.to), message: request.text, messageId },
      'sms written to the log instead of sent: no SMS provider is configured (set AT_USERNAME and AT_API_KEY)',
    )
    return { status: 'sent', messageId }
  }
}
