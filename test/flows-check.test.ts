import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { checkFlow, type Finding } from '../src/flows/check-flows.ts'
import { findLongestPath } from '../src/flows/checks/check-session-length.ts'
import { explainSchemaIssue } from '../src/flows/checks/explain-schema-issue.ts'
import { stateName } from '../src/flows/checks/flow-graph.ts'
import { FlowFileError } from '../src/flows/flow-file-error.ts'
import { loadFlows } from '../src/flows/load-flows.ts'

const brokenFlows = 'test/fixtures/broken-flows'
const settings = { screenLimit: 182, defaultCountryCode: '254' }

async function findingsIn(folder: string): Promise<Finding[]> {
  const { registry } = await loadFlows(join(brokenFlows, folder))
  return registry.all().flatMap((flow) => checkFlow(flow, settings))
}

async function loadError(folder: string): Promise<FlowFileError> {
  const error: unknown = await loadFlows(join(brokenFlows, folder)).then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!(error instanceof FlowFileError)) {
    throw new Error(`expected a FlowFileError from ${folder}, got ${String(error)}`)
  }
  return error
}

/** Runs `npm run flows:check` as a deploy script would, through tsx, with a known screen limit. */
function runFlowsCheck(folder: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { FLOWS_DIR: _ignored, ...inherited } = process.env
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/flows-check.ts', folder],
      { env: { ...inherited, USSD_SCREEN_LIMIT: '182' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        let code = 0
        if (error !== null) code = typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('flow check findings', () => {
  it.each([
    {
      name: 'prompt too long in one language',
      folder: 'screen-too-long',
      expected: {
        level: 'error',
        flow: 'vaccines',
        state: 'confirm_visit',
        language: 'sw',
        message:
          'prompt is 154 characters with the sample values, but the screen has room for 141 next to its options, so callers see it cut with "...". Shorten it to 141 characters or fewer.',
      },
    },
    {
      name: 'list item too long on a later page',
      folder: 'list-item-too-long',
      expected: {
        level: 'error',
        flow: 'clinic',
        state: 'choose_clinic',
        language: 'en',
        message:
          'list item 7 "Dandora II Health Centre, Maternal an..." on page 3 is 169 characters and is cut with "..." to fit the screen. Shorten the list label "{{name}} ({{hours}})" or the values behind it, so that items like this one fit in 154 characters.',
      },
    },
    {
      name: 'prompt cut under an error line',
      folder: 'prompt-cut-after-error',
      expected: {
        level: 'warning',
        flow: 'clinic',
        state: 'age',
        language: 'en',
        message:
          'prompt is 152 characters with the sample values, and after a wrong answer the error line "Enter an age from 1 to 120, in whole years." leaves room for 130, so callers see it cut with "...". Shorten the prompt or the error text by 22 characters.',
      },
    },
    {
      name: 'unreachable state',
      folder: 'unreachable-state',
      expected: {
        level: 'warning',
        flow: 'clinic',
        state: 'old_menu',
        message:
          'no option, answer or task leads to this state, so no caller can reach it. Remove the state, or lead an option or next: to it.',
      },
    },
    {
      name: 'unreachable nested state',
      folder: 'nested-unreachable-state',
      expected: {
        level: 'warning',
        flow: 'referrals',
        state: 'refer.old_confirm',
        message:
          'no option, answer or task leads to this state, so no caller can reach it. Remove the state, or lead an option or next: to it.',
      },
    },
    {
      name: 'nested dead end',
      folder: 'dead-end-state',
      expected: {
        level: 'error',
        flow: 'referrals',
        state: 'refer.confirm',
        message:
          'this state is not an end, but no transition leads on from it, so callers who get here are stuck. Add a transition that leaves it, or make it a final state.',
      },
    },
    {
      name: 'option no transition accepts',
      folder: 'option-leads-nowhere',
      expected: {
        level: 'error',
        flow: 'referrals',
        state: 'refer.confirm',
        message:
          'option 2 (id "cancel") leads nowhere: no ANSWER transition accepts it, so callers who choose it get "Invalid choice". Add a transition for it or remove the option.',
      },
    },
    {
      name: 'task without a done transition',
      folder: 'task-without-done',
      expected: {
        level: 'error',
        flow: 'referrals',
        state: 'refer.sending',
        message:
          'this state runs task "sendReferral", but no TASK.DONE transition leads on from it, so the session fails when the task finishes. Add a TASK.DONE transition.',
      },
    },
    {
      name: 'end promising an unsent SMS',
      folder: 'sms-not-sent',
      expected: {
        level: 'error',
        flow: 'clinic',
        state: 'booked',
        message:
          'the en and sw end texts tell the caller to expect an SMS, but this state sends none. Add sms: with the message to send, or take the SMS out of the end text.',
      },
    },
    {
      name: 'path longer than a session',
      folder: 'long-path',
      expected: {
        level: 'warning',
        flow: 'registration',
        message:
          'the longest way from the start to an end shows 10 screens: first_name > last_name > age > village > ward > county > phone > next_of_kin > kin_phone > confirm > registered. At about 20 s a screen that takes 200 s, longer than the 180 s a USSD session lasts, so callers may be cut off before the end. Ask fewer questions on this way, or split it into two sessions.',
      },
    },
    {
      name: 'character outside GSM-7',
      folder: 'non-gsm-character',
      expected: {
        level: 'warning',
        flow: 'loans',
        state: 'menu',
        message:
          'prompt uses "✓", which is not in the GSM-7 alphabet. USSD screens drop or replace such characters, and an SMS that contains one holds 70 characters instead of 160. Use plain letters and punctuation.',
      },
    },
    {
      name: 'input with no way out',
      folder: 'stuck-input',
      expected: {
        level: 'warning',
        flow: 'pinbank',
        state: 'pin',
        message:
          'this screen waits for typed input and has back: false, so a caller who cannot answer has no way out on the screen and waits until the network ends the session (about 180 s). Remove back: false, or lead to this screen from a menu that offers another way.',
      },
    },
    {
      name: 'translation missing in TypeScript',
      folder: 'typescript-missing-translation',
      expected: {
        level: 'error',
        flow: 'referrals',
        state: 'menu',
        language: 'sw',
        message:
          'option 1 has no sw text, so callers who use sw see the en text instead. Add the sw text.',
      },
    },
    {
      name: 'sample missing a value',
      folder: 'sample-missing-value',
      expected: {
        level: 'warning',
        flow: 'loans',
        message:
          'the sample has no value for balance, so the check left it blank and may miss texts that are too long. Add an example value under sample: in the flow file.',
      },
    },
  ])('$name', async ({ folder, expected }) => {
    const findings = await findingsIn(folder)

    expect(findings).toEqual([{ language: undefined, state: undefined, ...expected }])
  })
})

describe('flow load errors', () => {
  it.each([
    {
      name: 'option to a missing state',
      folder: 'option-to-missing-state',
      message:
        'test/fixtures/broken-flows/option-to-missing-state/loans.flow.yaml: states.menu.options[0].next leads to "balanse", which is not a state of this flow. Use one of: menu, balance.',
    },
    {
      name: 'answer to a missing nested state',
      folder: 'answer-to-missing-state',
      message:
        'test/fixtures/broken-flows/answer-to-missing-state/referrals.flow.ts: state "refer.facility" has a transition to "confrim", which is not a state inside "refer". Check the spelling of the target, or add the state.',
    },
    {
      name: 'option label translation missing',
      folder: 'missing-translation',
      message:
        'test/fixtures/broken-flows/missing-translation/clinic.flow.yaml: states.menu has no sw text for {"en":"Ask a nurse"}. Add it.',
    },
    {
      name: 'input error translation missing',
      folder: 'missing-translation-input-error',
      message:
        'test/fixtures/broken-flows/missing-translation-input-error/clinic.flow.yaml: states.age has no sw text for {"en":"Enter an age in years."}. Add it.',
    },
    {
      name: 'end translation missing',
      folder: 'missing-translation-end',
      message:
        'test/fixtures/broken-flows/missing-translation-end/clinic.flow.yaml: states.hours has no sw text for {"en":"Open 8am to 5pm."}. Add it.',
    },
    {
      name: 'SMS translation missing',
      folder: 'missing-translation-sms',
      message:
        'test/fixtures/broken-flows/missing-translation-sms/clinic.flow.yaml: states.hours has no sw text for {"en":"Clinic hours: 8am to 5pm, Monday to Saturday."}. Add it.',
    },
    {
      name: 'invalid YAML',
      folder: 'invalid-yaml',
      message:
        'test/fixtures/broken-flows/invalid-yaml/loans.flow.yaml: is not valid YAML or JSON: Missing closing "quote at line 13, column 1:\n\n    end: Your balance is KES 1,500.\n\n^\n',
    },
    {
      name: 'misspelt key',
      folder: 'wrong-key',
      message:
        'test/fixtures/broken-flows/wrong-key/loans.flow.yaml: states.menu has an unknown key "optoins". Did you mean "options"?',
    },
    {
      name: 'route to a missing flow',
      folder: 'route-to-missing-flow',
      message:
        'test/fixtures/broken-flows/route-to-missing-flow/routes.yaml: USSD route *384*123# points at flow "clinics", which is not loaded. Loaded flows: clinic.',
    },
    {
      name: 'task the tasks file lacks',
      folder: 'missing-task',
      message:
        'test/fixtures/broken-flows/missing-task/loans.flow.yaml: states.load.task names task "loadBalance", which the flow\'s tasks file does not export. Tasks provided: loadAccount.',
    },
  ])('$name', async ({ folder, message }) => {
    const error = await loadError(folder)

    expect(error.message).toBe(message)
  })
})

describe('flow file key errors', () => {
  const schema = z.strictObject({
    states: z.record(
      z.string(),
      z.strictObject({
        prompt: z.string(),
        options: z.array(z.strictObject({ label: z.string(), next: z.string() })).optional(),
      }),
    ),
  })

  it.each([
    {
      name: 'misspelt key',
      document: { states: { menu: { prompt: 'Menu', optoins: [] } } },
      expected: {
        path: ['states', 'menu'],
        reason: 'has an unknown key "optoins". Did you mean "options"?',
      },
    },
    {
      name: 'misspelt key hiding a required one',
      document: {
        states: { menu: { prompt: 'Menu', options: [{ lable: 'Hours', next: 'menu' }] } },
      },
      expected: {
        path: ['states', 'menu', 'options', 0],
        reason: 'has an unknown key "lable". Did you mean "label"?',
      },
    },
    {
      name: 'unknown key unlike any',
      document: { states: { menu: { prompt: 'Menu', colour: 'red' } } },
      expected: {
        path: ['states', 'menu'],
        reason: 'has an unknown key "colour". Keys allowed here: prompt, options.',
      },
    },
    {
      name: 'missing key',
      document: { states: { menu: {} } },
      expected: {
        path: ['states', 'menu', 'prompt'],
        reason: 'is missing. Add prompt: to this part of the file.',
      },
    },
    {
      name: 'wrong type',
      document: { states: { menu: { prompt: 7 } } },
      expected: {
        path: ['states', 'menu', 'prompt'],
        reason: 'is invalid: Invalid input: expected string, received number.',
      },
    },
  ])('$name', ({ document, expected }) => {
    const parsed = schema.safeParse(document)
    if (parsed.success) throw new Error('the document was expected to be invalid')

    expect(explainSchemaIssue(parsed.error.issues, schema, document)).toEqual(expected)
  })
})

describe('longest path', () => {
  it('survives a loop back to the start', async () => {
    const { registry } = await loadFlows(join(brokenFlows, 'long-path'))
    const flow = registry.get('registration')
    if (flow === undefined) throw new Error('registration flow not loaded')

    const longest = findLongestPath(flow)

    expect(longest?.screens.map(stateName)).toEqual([
      'first_name',
      'last_name',
      'age',
      'village',
      'ward',
      'county',
      'phone',
      'next_of_kin',
      'kin_phone',
      'confirm',
    ])
    expect(longest?.end.key).toBe('registered')
    expect(longest?.complete).toBe(true)
  })

  it('counts the language screen', async () => {
    const { registry } = await loadFlows('machines')
    const clinic = registry.get('clinic')
    if (clinic === undefined) throw new Error('clinic flow not loaded')

    const longest = findLongestPath(clinic)

    expect(longest?.screens[0]?.key).toBe('language')
    expect(longest?.complete).toBe(true)
  })
})

describe.concurrent('flows:check command', () => {
  it('passes the example flows', async () => {
    const { code, stdout, stderr } = await runFlowsCheck('machines')

    expect(stderr).toBe('')
    expect(stdout).not.toMatch(/^error/m)
    expect(stdout).toMatch(/^Checked \d+ flows in machines \(.*clinic.*\): 0 errors, /m)
    expect(code).toBe(0)
  })

  it('fails a flow with an error', async () => {
    const { code, stdout } = await runFlowsCheck(join(brokenFlows, 'screen-too-long'))

    expect(stdout).toBe(
      'error   vaccines confirm_visit [sw]: prompt is 154 characters with the sample values, but the screen has room for 141 next to its options, so callers see it cut with "...". Shorten it to 141 characters or fewer.\n' +
        'Checked 1 flow in test/fixtures/broken-flows/screen-too-long (vaccines): 1 error, 0 warnings. Fix the errors before the flows go live.\n',
    )
    expect(code).toBe(1)
  })

  it('fails a flow that does not load', async () => {
    const { code, stdout } = await runFlowsCheck(join(brokenFlows, 'wrong-key'))

    expect(stdout.split('\n')[0]).toBe(
      'error   test/fixtures/broken-flows/wrong-key/loans.flow.yaml: states.menu has an unknown key "optoins". Did you mean "options"?',
    )
    expect(stdout).toContain(
      'Could not load the flows in test/fixtures/broken-flows/wrong-key: 1 error. Fix it and run the check again.',
    )
    expect(code).toBe(1)
  })

  it('fails on a missing folder', async () => {
    const { code, stdout } = await runFlowsCheck('test/fixtures/no-such-folder')

    expect(stdout).toBe(
      'error   test/fixtures/no-such-folder is not a folder. Give the folder of the flows.\n',
    )
    expect(code).toBe(1)
  })

  it('passes warnings with exit code 0', async () => {
    const { code, stdout } = await runFlowsCheck(join(brokenFlows, 'unreachable-state'))

    expect(stdout).toContain('warning clinic old_menu: no option, answer or task leads')
    expect(code).toBe(0)
  })
})
