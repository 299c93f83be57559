import { randomBytes } from 'node:crypto'
import { postForm, SwitchboardRequestError } from './post-form.ts'
import { parseVoiceScript, VoiceScriptError, type ScriptAction } from './voice-script.ts'

/** Fields Africa's Talking sends on every callback of one call. */
export interface VoiceDial {
  /** The Switchboard voice number called, such as `+254711000123`. */
  readonly number: string
  /** Caller in international format, such as `+254700000001`. */
  readonly phoneNumber: string
  /** Switchboard's Africa's Talking voice callback URL. */
  readonly url: string
}

/** Creates a call session id in the shape Africa's Talking uses, marked as from the simulator. */
export function createSimulatedCallId(): string {
  return `ATVId_sim_${randomBytes(8).toString('hex')}`
}

/**
 * Plays Africa's Talking's side of one inbound call: the first callback, then one callback per
 * key press, recording or redirect, each to the URL the previous reply named, and the final
 * notification when the call ends.
 */
export class VoiceCallClient {
  private readonly startedAt = Date.now()

  constructor(
    private readonly dial: VoiceDial,
    readonly sessionId: string = createSimulatedCallId(),
  ) {}

  /** Sends the first callback of the call. */
  start(): Promise<ScriptAction[]> {
    return this.send(this.dial.url, { callSessionState: 'Answered' })
  }

  /** Sends the keys pressed (an empty string for none) to a GetDigits callback URL. */
  pressKeys(callbackUrl: string | undefined, digits: string): Promise<ScriptAction[]> {
    return this.send(this.resolve(callbackUrl), { dtmfDigits: digits })
  }

  /** Sends a recording's URL (empty when nothing was recorded) to a Record callback URL. */
  sendRecording(callbackUrl: string | undefined, recordingUrl: string): Promise<ScriptAction[]> {
    return this.send(this.resolve(callbackUrl), { recordingUrl })
  }

  /** Follows a `<Redirect>`, as a call does after an input timed out. */
  redirect(url: string): Promise<ScriptAction[]> {
    return this.send(this.resolve(url), {})
  }

  /** Sends the final notification of the call, which expects no actions back. */
  async hangUp(): Promise<void> {
    const seconds = Math.round((Date.now() - this.startedAt) / 1000)
    await postForm(this.dial.url, {
      ...this.fields(),
      isActive: '0',
      status: 'Success',
      durationInSeconds: String(seconds),
      currencyCode: 'KES',
      amount: '0',
    })
  }

  /**
   * Keeps the step query of a callback URL from the reply but sends it to the simulator's own
   * URL, so a PUBLIC_BASE_URL set for Africa's Talking never sends the simulator elsewhere.
   */
  private resolve(callbackUrl: string | undefined): string {
    if (callbackUrl === undefined || callbackUrl === '') return this.dial.url
    const url = new URL(this.dial.url)
    url.search = new URL(callbackUrl, this.dial.url).search
    return url.toString()
  }

  private fields(): Record<string, string> {
    return {
      sessionId: this.sessionId,
      direction: 'Inbound',
      callerNumber: this.dial.phoneNumber,
      destinationNumber: this.dial.number,
    }
  }

  private async send(url: string, extra: Record<string, string>): Promise<ScriptAction[]> {
    const body = await postForm(url, { ...this.fields(), isActive: '1', ...extra })
    try {
      return parseVoiceScript(body)
    } catch (error) {
      if (!(error instanceof VoiceScriptError)) throw error
      throw new SwitchboardRequestError(
        `Switchboard replied 200 at ${url} with a body that is not voice XML (${error.message}):\n` +
          `  ${JSON.stringify(body.slice(0, 300))}\nAfrica's Talking would drop the call.`,
      )
    }
  }
}
