import type { Logger } from 'pino'
import { maskMsisdn, normalizeMsisdn } from '../text/phone.ts'
import type { OptOutStore } from './opt-outs.ts'
import type { DeliveryUpdate, OutboxMessage, OutboxStore } from './outbox-store.ts'

/** One delivery report as Africa's Talking posts it (form fields). */
export interface DeliveryReport {
  /** The `messageId` returned at send time. */
  readonly id: string
  readonly status?: string
  readonly phoneNumber?: string
  readonly networkCode?: string
  readonly failureReason?: string
  /** Every field as received, kept for reports that cannot be applied. */
  readonly fields: Readonly<Record<string, string>>
}

interface StatusRank {
  readonly rank: number
  readonly finalStatus?: 'delivered' | 'failed'
}

// Rank of each report status. In-flight statuses rank by how far the message got: Sent (left
// Africa's Talking), Submitted (handed to the operator), Buffered (queued at the operator).
// NOTE: that order is read from the status names; a report out of it only changes which
// in-flight status is shown. Final statuses share the top rank, so the first final report wins.
const finalRank = 10
const statusRanks: Record<string, StatusRank> = {
  sent: { rank: 1 },
  submitted: { rank: 2 },
  buffered: { rank: 3 },
  success: { rank: finalRank, finalStatus: 'delivered' },
  rejected: { rank: finalRank, finalStatus: 'failed' },
  failed: { rank: finalRank, finalStatus: 'failed' },
  expired: { rank: finalRank, finalStatus: 'failed' },
}

/** The failure reason of a subscriber who blocked the sender at the carrier. */
const blacklistReason = 'userinblacklist'

/** Outcome of one report, for logs and tests. */
export type DeliveryReportResult =
  /** The message's delivery state moved forward. */
  | 'applied'
  /** The message already had this or a later status; nothing changed. */
  | 'stale'
  /** No message has this provider id; the report was kept as unrecognised. */
  | 'unknown-message'
  /** The status is not in `statusRanks`; the report was kept as unrecognised. */
  | 'unknown-status'

export interface DeliveryReportHandlerOptions {
  readonly outbox: OutboxStore
  readonly optOuts: OptOutStore
  readonly logger: Logger
  /** Country code for a report whose number arrives without one. */
  readonly defaultCountryCode: string
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
}

/**
 * Applies delivery reports to outbox messages. Reports arrive late, repeated and out of order,
 * so a status only moves forward. A report with an unknown status or message id is logged and
 * kept instead of raised, because an error status would make the provider send it again.
 */
export class DeliveryReportHandler {
  private readonly now: () => number

  constructor(private readonly options: DeliveryReportHandlerOptions) {
    this.now = options.now ?? Date.now
  }

  /** Applies one report. Raises only when a store fails, so the caller can ask for a resend. */
  async handle(report: DeliveryReport): Promise<DeliveryReportResult> {
    const receivedAt = this.now()
    const message = await this.options.outbox.findByProviderId(report.id)
    const logger = this.options.logger.child({
      providerMessageId: report.id,
      outboxId: message?.id,
      status: report.status,
      failureReason: report.failureReason,
    })

    // A carrier block is worth keeping even when the message itself is unknown.
    if (report.failureReason?.toLowerCase() === blacklistReason) {
      await this.recordBlock(report, message, receivedAt, logger)
    }

    // NOTE: a report that arrives before the worker records the send (provider id not yet
    // stored) lands here too, and is not applied later.
    if (message === null) {
      await this.keep('unknown-message', report, receivedAt)
      logger.warn('delivery report for an unknown message id kept as unrecognised')
      return 'unknown-message'
    }

    const ranked = statusRanks[report.status?.toLowerCase() ?? '']
    if (ranked === undefined) {
      await this.keep('unknown-status', report, receivedAt)
      logger.warn('delivery report with an unknown status kept as unrecognised')
      return 'unknown-status'
    }

    const update: DeliveryUpdate = {
      status: report.status!,
      rank: ranked.rank,
      reportedAt: receivedAt,
      ...(ranked.finalStatus ? { finalStatus: ranked.finalStatus } : {}),
      ...(report.failureReason ? { failureReason: report.failureReason } : {}),
      ...(report.networkCode ? { networkCode: report.networkCode } : {}),
    }
    const applied = await this.options.outbox.recordDelivery(message.id, update)
    logger.info({ applied }, applied ? 'delivery report applied' : 'delivery report is stale')
    return applied ? 'applied' : 'stale'
  }

  private async recordBlock(
    report: DeliveryReport,
    message: OutboxMessage | null,
    recordedAt: number,
    logger: Logger,
  ): Promise<void> {
    const reported = report.phoneNumber
      ? normalizeMsisdn(report.phoneNumber, this.options.defaultCountryCode)
      : null
    const msisdn = reported ?? message?.to
    if (msisdn === undefined) {
      logger.warn('carrier block reported without a usable phone number; no opt-out recorded')
      return
    }

    const stored = await this.options.optOuts.record({
      msisdn,
      reason: report.failureReason!,
      source: 'delivery-report',
      providerMessageId: report.id,
      ...(message?.from ? { senderId: message.from } : {}),
      recordedAt,
    })
    logger.info({ to: maskMsisdn(msisdn), stored }, 'number blocked at the carrier')
  }

  private async keep(
    reason: 'unknown-message' | 'unknown-status',
    report: DeliveryReport,
    receivedAt: number,
  ): Promise<void> {
    const fields = { ...report.fields }
    if (fields.phoneNumber) fields.phoneNumber = maskMsisdn(fields.phoneNumber)
    await this.options.outbox.saveUnrecognizedReport({ reason, fields, receivedAt })
  }
}
