import type { AnyStateNode } from 'xstate'
import type { Flow, StateMeta } from '../engine/flow.ts'
import { FlowFileError } from './flow-file-error.ts'

/**
 * Rejects a flow routed for voice that has a text input without a voice behaviour: a caller can
 * only press digits, so each text input must say whether the answer is recorded or asked by SMS.
 */
export function checkVoiceFlow(flow: Flow, number: string): void {
  visit(flow.machine.root, flow, number)
}

function visit(node: AnyStateNode, flow: Flow, number: string): void {
  const screen = (node.meta as StateMeta | undefined)?.screen
  if (screen?.input?.type === 'text' && screen.voice?.freeText === undefined) {
    const path = `states.${node.path.join('.')}`
    throw new FlowFileError(
      flow.source,
      path,
      `asks for text, which a caller cannot type, and flow "${flow.id}" is routed for voice on ${number}. ` +
        'Add "voice: { freeText: record }" to record the answer, or "voice: { freeText: sms }" to ask for it by SMS.',
    )
  }

  for (const child of Object.values(node.states)) visit(child, flow, number)
}
