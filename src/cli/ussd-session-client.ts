import { randomBytes } from 'node:crypto'
import { postForm, SwitchboardRequestError } from './post-form.ts'

/** Fields Africa's Talking sends on every hop of one dialled session, apart from `text`. */
export interface UssdDial {
  /** The USSD code dialled, such as `*384*123#`. */
  readonly serviceCode: string
  /** Subscriber in international format, such as `+254700000001`. */
  readonly phoneNumber: string
  /** Mobile country code and network code, such as `63902`. */
  readonly networkCode: string
  /** Switchboard's Africa's Talking USSD callback URL. */
  readonly url: string
}

/** One screen as the handset shows it, without the `CON `/`END ` prefix. */
export interface UssdScreen {
  /** True for `END`: the session is over and the handset shows no reply field. */
  readonly end: boolean
  readonly text: string
}

/** Creates a session id in the shape Africa's Talking uses, marked as coming from the simulator. */
export function createSimulatedSessionId(): string {
  return `ATUid_sim_${randomBytes(8).toString('hex')}`
}

/**
 * Plays the gateway's side of one USSD session: every hop posts the same session fields and the
 * cumulative `text`, which is empty on the first hop and then every input so far joined with `*`.
 */
export class UssdSessionClient {
  private readonly inputs: string[] = []

  constructor(
    private readonly dial: UssdDial,
    readonly sessionId: string = createSimulatedSessionId(),
  ) {}

  /** The `text` field of the latest hop. */
  get text(): string {
    return this.inputs.join('*')
  }

  /** Sends the first hop of the session, the one with an empty `text`. */
  start(): Promise<UssdScreen> {
    return this.send()
  }

  /** Sends `input` as the subscriber's reply to the current screen. */
  reply(input: string): Promise<UssdScreen> {
    this.inputs.push(input)
    return this.send()
  }

  private async send(): Promise<UssdScreen> {
    const body = await postForm(this.dial.url, {
      sessionId: this.sessionId,
      serviceCode: this.dial.serviceCode,
      phoneNumber: this.dial.phoneNumber,
      networkCode: this.dial.networkCode,
      text: this.text,
    })
    return parseUssdReply(this.dial.url, body)
  }
}

/** Splits a reply body into its `CON`/`END` marker and the screen text. */
export function parseUssdReply(url: string, body: string): UssdScreen {
  // The gateway needs the marker at the very start: no whitespace before it.
  const match = /^(CON|END)(?: |$)/.exec(body)
  if (match === null) {
    throw new SwitchboardRequestError(
      `Switchboard replied 200 at ${url} with a body that does not start with "CON " or "END ":\n` +
        `  ${JSON.stringify(body)}\nAfrica's Talking would end the session with an error.`,
    )
  }
  return { end: match[1] === 'END', text: body.slice(match[0].length) }
}
