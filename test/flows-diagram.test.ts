import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setup } from 'xstate'
import { parse as parseYaml } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineFlow } from '../src/engine/define-flow.ts'
import type { AnswerEvent } from '../src/engine/flow-cursor.ts'
import { compileFlow } from '../src/flows/compile-flow.ts'
import { escapeLabel, flowDiagram } from '../src/flows/flow-diagram.ts'
import { flowFileSchema } from '../src/flows/flow-schema.ts'
import { loadFlowFile } from '../src/flows/load-flows.ts'

const pharmacyFile = `
id: pharmacy
languages: [en, sw]
start: menu
states:
  menu:
    prompt: { en: 'Pharmacy: refills', sw: 'Famasia: dawa' }
    options:
      - label: { en: Refill a prescription, sw: Jaza dawa }
        next: prescription
      - label: { en: Opening hours, sw: Saa za kufungua }
        next: hours
  prescription:
    prompt:
      en: "Prescription number:\\nIt is on the bottle's label"
      sw: "Nambari ya dawa:\\nIko kwenye lebo ya chupa"
    input: { type: number }
    save: number
    next: refill
  refill:
    task: orderRefill
    save: order
    next: in_stock
    onError: failed
  in_stock:
    branch:
      - when: order.ready
        next: ready
      - next: later
  ready:
    end: { en: 'Ready today; show ref {{order.ref}}.', sw: 'Tayari leo; onyesha {{order.ref}}.' }
  later:
    end: { en: We will send an SMS when it is ready., sw: Tutatuma SMS ikiwa tayari. }
    sms: { en: 'Refill {{order.ref}} ordered.', sw: 'Dawa {{order.ref}} imeagizwa.' }
  hours:
    end: { en: Open 8am to 6pm every day., sw: Tunafungua saa 2 hadi saa 12 kila siku. }
  failed:
    end: { en: 'Sorry, please call the pharmacy.', sw: 'Samahani, piga simu famasia.' }
`

function pharmacyFlow() {
  const file = flowFileSchema.parse(parseYaml(pharmacyFile))
  return compileFlow(file, 'pharmacy.flow.yaml', 'test', { orderRefill: async () => ({}) })
}

/** Builds a developer-written machine with a state nested two deep and an arrow out of it. */
function transferFlow() {
  const machine = setup({
    types: { events: {} as AnswerEvent | { type: 'TASK.DONE' } },
  }).createMachine({
    id: 'transfer',
    initial: 'send',
    states: {
      send: {
        initial: 'amount',
        states: {
          amount: {
            meta: { screen: { prompt: 'Amount', input: { type: 'number' } } },
            on: { ANSWER: 'otp' },
          },
          otp: {
            initial: 'entering',
            states: {
              entering: {
                meta: { screen: { prompt: 'Code we sent', input: { type: 'pin' } } },
                on: { ANSWER: 'checking' },
              },
              checking: {
                meta: { task: { name: 'checkCode' } },
                on: { 'TASK.DONE': '#transfer.sent' },
              },
            },
          },
        },
      },
      sent: { type: 'final', meta: { end: { text: 'Sent.' } } },
    },
  })
  return defineFlow({ id: 'transfer', machine, tasks: { checkCode: async () => true } })
}

/** Runs `npm run flows:diagram` through tsx, as a program team would. */
function runFlowsDiagram(args: readonly string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/flows-diagram.ts', ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        let code = 0
        if (error !== null) code = typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('flow diagram', () => {
  it('draws a flow file', () => {
    expect(flowDiagram(pharmacyFlow())).toBe(`stateDiagram-v2
  [*] --> menu
  state "menu" as menu
  menu : Pharmacy#58; refills
  state "prescription" as prescription
  prescription : Prescription number#58;
  state "refill" as refill
  refill : task orderRefill
  state "in_stock" as in_stock
  in_stock : branch
  state "ready" as ready
  ready : Ready today#59; show ref {{order.ref}}.
  ready --> [*]
  state "later" as later
  later : We will send an SMS when it is ready.
  later --> [*]
  state "hours" as hours
  hours : Open 8am to 6pm every day.
  hours --> [*]
  state "failed" as failed
  failed : Sorry, please call the pharmacy.
  failed --> [*]
  menu --> prescription : Refill a prescription
  menu --> hours : Opening hours
  prescription --> refill : answer
  refill --> in_stock : done
  refill --> failed : error
  in_stock --> ready
  in_stock --> later
`)
  })

  it('labels in the chosen language', () => {
    const diagram = flowDiagram(pharmacyFlow(), { language: 'sw', labelLength: 20 })

    expect(diagram).toContain('  menu : Famasia#58; dawa\n')
    expect(diagram).toContain('  hours : Tunafungua saa 2...\n')
    expect(diagram).toContain('  menu --> prescription : Jaza dawa\n')
  })

  it('rejects a language the flow lacks', () => {
    expect(() => flowDiagram(pharmacyFlow(), { language: 'fr' })).toThrow(
      'pharmacy.flow.yaml: has no language "fr". Use one of: en, sw.',
    )
  })

  it('draws nested states as composites', () => {
    expect(flowDiagram(transferFlow())).toBe(`stateDiagram-v2
  [*] --> send
  state "send" as send {
    [*] --> amount
    state "amount" as amount
    amount : Amount
    state "otp" as otp {
      [*] --> entering
      state "entering" as entering
      entering : Code we sent
      state "checking" as checking
      checking : task checkCode
      entering --> checking : answer
    }
    amount --> otp : answer
  }
  state "sent" as sent
  sent : Sent.
  sent --> [*]
  send --> sent : done
`)
  })

  it('draws every clinic state', async () => {
    const clinic = await loadFlowFile('machines/clinic.flow.yaml')
    const file = parseYaml(await readFile('machines/clinic.flow.yaml', 'utf8')) as {
      states: Record<string, { end?: unknown }>
    }

    const diagram = flowDiagram(clinic)

    for (const [name, state] of Object.entries(file.states)) {
      expect(diagram).toContain(`  state "${name}" as ${name}\n`)
      if (state.end !== undefined) expect(diagram).toContain(`  ${name} --> [*]\n`)
    }
    expect(diagram).toContain('  [*] --> language : new caller\n')
    expect(diagram).toContain('  menu_new --> load_clinics : Book an appointment\n')
  })
})

describe('flow diagram labels', () => {
  it.each([
    { name: 'plain words', text: 'Book a visit (today)', expected: 'Book a visit (today)' },
    { name: 'statement separator', text: 'Paid; thank you', expected: 'Paid#59; thank you' },
    { name: 'colon', text: 'Choose a day:', expected: 'Choose a day#58;' },
    { name: 'comment marker', text: '100%% sure', expected: '100#37;#37; sure' },
    { name: 'quotes and brackets', text: '"A" <b> [c]', expected: '#34;A#34; #60;b#62; #91;c#93;' },
    { name: 'arrow', text: 'menu --> end', expected: 'menu --#62; end' },
    { name: 'line breaks', text: 'one\n two', expected: 'one two' },
    { name: 'accents and emoji', text: 'Café 😀', expected: 'Café #128512;' },
  ])('escapes $name', ({ text, expected }) => {
    expect(escapeLabel(text)).toBe(expected)
  })
})

describe.concurrent('flows:diagram command', () => {
  let directory: string

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flows-diagram-'))
  })

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it('writes the diagram to a file', async () => {
    const out = join(directory, 'clinic.mmd')
    const clinic = await loadFlowFile('machines/clinic.flow.yaml')

    const { code, stderr } = await runFlowsDiagram(['clinic', '--language', 'sw', '--out', out])

    expect(stderr).toBe(`Wrote the diagram of clinic to ${out}.\n`)
    expect(await readFile(out, 'utf8')).toBe(flowDiagram(clinic, { language: 'sw' }))
    expect(code).toBe(0)
  })

  it('prints a flow file by path', async () => {
    const { code, stdout } = await runFlowsDiagram(['machines/loans.flow.yaml'])

    expect(stdout).toMatch(/^stateDiagram-v2\n {2}\[\*\] --> menu\n/)
    expect(stdout).toContain('  menu : Your loan\n')
    expect(code).toBe(0)
  })

  it('fails on an unknown language', async () => {
    const { code, stdout, stderr } = await runFlowsDiagram(['clinic', '--language', 'fr'])

    expect(stderr).toBe(
      'error   machines/clinic.flow.yaml: has no language "fr". Use one of: en, sw.\n',
    )
    expect(stdout).toBe('')
    expect(code).toBe(1)
  })

  it('fails on an unknown flow', async () => {
    const { code, stderr } = await runFlowsDiagram(['parcels'])

    expect(stderr).toBe(
      'error   machines: has no flow "parcels". Use one of: clinic-reminder, clinic, loans, or give the path of a flow file.\n',
    )
    expect(code).toBe(1)
  })
})
