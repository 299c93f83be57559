/** The place of a mistake in a machine definition and its fix, for a `FlowFileError`. */
export interface MachineErrorExplanation {
  readonly path: string
  readonly reason: string
}

// XState 5 raises these from createMachine() when a transition names a state that does not exist.
const missingChild =
  /^Invalid transition definition for state node '([^']+)':\s*Child state '([^']+)' does not exist on '([^']+)'/
const missingId = /^Child state node '#([^']+)' does not exist on machine '([^']+)'/

/**
 * Rewrites the errors XState raises while building a machine into the words of a flow check,
 * naming the state and the missing target, or returns the message as it is.
 */
export function explainMachineError(error: unknown): MachineErrorExplanation {
  const message = error instanceof Error ? error.message : String(error)

  const child = missingChild.exec(message)
  if (child !== null) {
    const [, source = '', target = '', parent = ''] = child
    const machineId = parent.split('.')[0] ?? ''
    const inside = parent === machineId ? 'in this machine' : `inside "${withoutMachine(parent)}"`
    return {
      path: `state "${withoutMachine(source)}"`,
      reason: `has a transition to "${target}", which is not a state ${inside}. Check the spelling of the target, or add the state.`,
    }
  }

  const byId = missingId.exec(message)
  if (byId !== null) {
    const [, id = '', machine = ''] = byId
    return {
      path: `machine "${machine}"`,
      reason: `has a transition to "#${id}", which is not the id of any of its states. Check the spelling of the target, or add the state.`,
    }
  }

  return { path: '', reason: `could not be loaded: ${message}` }
}

/** `referrals.refer.facility` to `refer.facility`: XState prefixes state ids with the machine id. */
function withoutMachine(id: string): string {
  return id.split('.').slice(1).join('.') || id
}
