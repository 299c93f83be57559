import type { AnyStateNode } from 'xstate'
import type { LocalizedText } from '../../engine/flow.ts'
import { metaOf, ownEdges } from './flow-graph.ts'

/** A text a state shows or sends, with the name program teams use for it. */
export interface StateText {
  /** `prompt`, `option 2`, `input error`, `end text` or `SMS text`. */
  readonly part: string
  readonly text: LocalizedText
}

interface SmsAction {
  readonly type: 'sms'
  readonly params: { readonly text: LocalizedText }
}

/** Lists the `sms` actions among XState actions; the engine sends them after the hop is saved. */
export function smsActions(actions: readonly unknown[]): SmsAction[] {
  return actions.filter((action): action is SmsAction => {
    if (action === null || typeof action !== 'object') return false
    const { type, params } = action as { type?: unknown; params?: { text?: unknown } }
    return type === 'sms' && params?.text !== undefined
  })
}

/** Lists the SMS texts sent on entering `node` or on a transition declared on it. */
export function smsTextsOf(node: AnyStateNode): LocalizedText[] {
  const actions = [...node.entry, ...ownEdges(node).flatMap((edge) => edge.actions)]
  return smsActions(actions).map((action) => action.params.text)
}

/** Lists every text of a state: what its screen shows, its end text and the SMS it sends. */
export function stateTexts(node: AnyStateNode): StateText[] {
  const meta = metaOf(node)
  const texts: StateText[] = []
  const add = (part: string, text: LocalizedText | undefined) => {
    if (text !== undefined) texts.push({ part, text })
  }

  add('prompt', meta.screen?.prompt)
  meta.screen?.options?.forEach((option, index) => add(`option ${index + 1}`, option.label))
  add('input error', meta.screen?.input?.error)
  add('end text', meta.end?.text)
  smsTextsOf(node).forEach((text) => add('SMS text', text))
  return texts
}
