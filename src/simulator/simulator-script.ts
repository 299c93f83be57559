/**
 * Browser script of the simulator page. It plays the aggregator: it posts the same form
 * callbacks as Africa's Talking to this Switchboard and shows the replies on the phone. It is
 * plain ES2020 in a string, so the page needs no build step.
 */
export const simulatorScript = String.raw`
'use strict'

// Characters per line of the simulated handset; phones wrap USSD text at about this width.
const screenWidth = 20
const ussdPath = '/africastalking/ussd'
const voicePath = '/africastalking/voice'
const smsPath = '/africastalking/sms'
// How often the SMS panel looks for new messages, in milliseconds.
const messagePollMs = 3000

const element = (id) => document.getElementById(id)
const simulator = { mode: 'idle', routes: { ussd: [], voice: [] }, ussd: null, call: null }

// Screen

function wrapLine(line) {
  const lines = []
  let current = ''
  for (const word of line.split(' ')) {
    const candidate = current === '' ? word : current + ' ' + word
    if ([...candidate].length <= screenWidth) {
      current = candidate
      continue
    }
    if (current !== '') lines.push(current)
    current = word
    while ([...current].length > screenWidth) {
      lines.push([...current].slice(0, screenWidth).join(''))
      current = [...current].slice(screenWidth).join('')
    }
  }
  lines.push(current)
  return lines
}

function wrapText(text) {
  return text.split('\n').flatMap(wrapLine).join('\n')
}

function showScreen(text, left, right) {
  const screen = element('screen')
  screen.textContent = wrapText(text)
  screen.dataset.text = text
  screen.scrollTop = 0
  showStatus(left, right)
}

function appendScreen(text) {
  const screen = element('screen')
  const previous = screen.dataset.text || ''
  screen.dataset.text = previous === '' ? text : previous + '\n' + text
  screen.textContent = wrapText(screen.dataset.text)
  screen.scrollTop = screen.scrollHeight
}

function showStatus(left, right) {
  element('status-left').textContent = left || ''
  element('status-right').textContent = right || ''
}

function showIdle() {
  simulator.mode = 'idle'
  simulator.ussd = null
  simulator.call = null
  showVoiceControls(null)
  showScreen('Switchboard\nsimulator\n\nDial a USSD code or\na voice number, then\npress Call.', 'Ready', '')
}

// Requests

async function postForm(path, fields) {
  const body = new URLSearchParams(fields).toString()
  return fetch(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

function randomHex(bytes) {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  return Array.from(values, (value) => value.toString(16).padStart(2, '0')).join('')
}

function phoneNumber() {
  return element('phone-number').value.trim()
}

function providerDate(milliseconds) {
  return new Date(milliseconds).toISOString().slice(0, 19).replace('T', ' ')
}

// USSD

// Splits a shortcut dial such as *384*456*1*2# into its routed code and the preset inputs.
function splitDial(dialled) {
  for (const route of simulator.routes.ussd) {
    const code = route.serviceCode
    if (dialled === code) return { serviceCode: code, inputs: [] }
    const stem = code.slice(0, -1) + '*'
    if (dialled.startsWith(stem) && dialled.endsWith('#')) {
      return { serviceCode: code, inputs: dialled.slice(stem.length, -1).split('*') }
    }
  }
  return { serviceCode: dialled, inputs: [] }
}

async function startUssd(dialled) {
  const { serviceCode, inputs } = splitDial(dialled)
  simulator.mode = 'ussd'
  simulator.ussd = {
    sessionId: 'ATUid_sim_' + randomHex(8),
    serviceCode,
    inputs,
    startedAt: Date.now(),
    hops: 0,
    open: false,
  }
  showScreen('Running USSD code...', dialled, '')
  await sendUssd()
}

async function sendUssd() {
  const session = simulator.ussd
  const fields = {
    sessionId: session.sessionId,
    serviceCode: session.serviceCode,
    phoneNumber: phoneNumber(),
    networkCode: element('network-code').value.trim(),
    text: session.inputs.join('*'),
  }
  session.hops += 1
  watchSession('africastalking:' + session.sessionId)

  let response
  let body
  try {
    response = await postForm(ussdPath, fields)
    body = await response.text()
  } catch (error) {
    session.open = false
    showScreen('Connection problem\nor invalid MMI code.\n\n' + error.message, 'Error', '')
    return
  }

  if (!response.ok) {
    session.open = false
    showScreen('Connection problem\nor invalid MMI code.\n\nHTTP ' + response.status + ': ' + body, 'Error', '')
  } else if (body.startsWith('CON ')) {
    session.open = true
    const text = body.slice(4)
    showScreen(text, 'CON  reply below', [...text].length + ' chars')
  } else if (body.startsWith('END ')) {
    session.open = false
    const text = body.slice(4)
    showScreen(text, 'END  press any key', [...text].length + ' chars')
    void notifyUssdEnd('Success')
  } else {
    session.open = false
    showScreen('Invalid reply, not CON or END:\n' + body, 'Error', '')
  }
  await Promise.all([refreshSession(), refreshMessages()])
}

async function answerUssd() {
  const answer = element('entry').value
  if (answer === '') return
  element('entry').value = ''
  simulator.ussd.inputs.push(answer)
  await sendUssd()
}

// Sends the end-of-session notice a gateway sends when a session closes.
async function notifyUssdEnd(status) {
  const session = simulator.ussd
  if (session === null) return
  try {
    await postForm(ussdPath + '/events', {
      sessionId: session.sessionId,
      phoneNumber: phoneNumber(),
      serviceCode: session.serviceCode,
      networkCode: element('network-code').value.trim(),
      status,
      date: providerDate(Date.now()),
      durationInMillis: String(Date.now() - session.startedAt),
      hopsCount: String(session.hops),
      input: session.inputs.join('*'),
    })
  } catch (error) {
    console.warn('end-of-session notice failed', error)
  }
}

async function cancelUssd() {
  const session = simulator.ussd
  const wasOpen = session !== null && session.open
  if (wasOpen) {
    session.open = false
    await notifyUssdEnd('Incomplete')
    await Promise.all([refreshSession(), refreshMessages()])
  }
  showIdle()
  if (wasOpen) showStatus('Session cancelled', '')
}

// Voice

// Reads a voice reply (<Response> with Say, Play, GetDigits, Record, Redirect) into actions.
function parseVoiceXml(body) {
  const document = new DOMParser().parseFromString(body, 'application/xml')
  const root = document.documentElement
  if (document.getElementsByTagName('parsererror').length > 0 || root.nodeName !== 'Response') {
    throw new Error('the reply is not a voice <Response>: ' + body.slice(0, 200))
  }
  return Array.from(root.children, toVoiceAction)
}

function toVoiceAction(node) {
  const attribute = (name) => node.getAttribute(name) || undefined
  switch (node.nodeName) {
    case 'Say':
      return { kind: 'say', text: node.textContent.trim() }
    case 'Play':
      return { kind: 'play', url: attribute('url') }
    case 'GetDigits':
      return {
        kind: 'getDigits',
        prompt: Array.from(node.children, toVoiceAction),
        numDigits: Number(attribute('numDigits')) || undefined,
        finishOnKey: attribute('finishOnKey') || '#',
        timeout: attribute('timeout'),
        callbackUrl: attribute('callbackUrl'),
      }
    case 'Record':
      return {
        kind: 'record',
        prompt: Array.from(node.children, toVoiceAction),
        maxLength: attribute('maxLength'),
        callbackUrl: attribute('callbackUrl'),
      }
    case 'Redirect':
      return { kind: 'redirect', url: node.textContent.trim() }
    default:
      return { kind: 'unsupported', name: node.nodeName }
  }
}

// Keeps only the path and query of a callback URL, so the call stays on this Switchboard even
// when PUBLIC_BASE_URL names another origin.
function localVoicePath(url) {
  if (!url) return voicePath
  const parsed = new URL(url, location.href)
  return parsed.pathname === voicePath ? parsed.pathname + parsed.search : voicePath
}

async function startCall(number) {
  simulator.mode = 'voice'
  simulator.call = {
    sessionId: 'ATVId_sim_' + randomHex(8),
    number,
    startedAt: Date.now(),
    waiting: null,
    digits: '',
    recordings: 0,
    ended: false,
  }
  element('call-transcript').textContent = ''
  showScreen('Calling ' + number, 'Call', '')
  watchSession('africastalking-voice:' + simulator.call.sessionId)
  await sendVoice(voicePath, { callSessionState: 'Answered' })
}

async function sendVoice(path, extra) {
  const call = simulator.call
  const fields = {
    sessionId: call.sessionId,
    isActive: '1',
    direction: 'Inbound',
    callerNumber: phoneNumber(),
    destinationNumber: call.number,
    ...extra,
  }
  showVoiceControls(null)

  let actions
  try {
    const response = await postForm(path, fields)
    const body = await response.text()
    if (!response.ok) throw new Error('HTTP ' + response.status + ': ' + body)
    actions = parseVoiceXml(body)
  } catch (error) {
    appendScreen('Call failed: ' + error.message)
    await hangUp('Failed')
    return
  }
  await Promise.all([refreshSession(), refreshMessages()])
  await playActions(actions, 0)
}

function speak(action) {
  const line = action.kind === 'say' ? action.text : '[plays ' + action.url + ']'
  appendScreen('> ' + line)
  const item = document.createElement('li')
  item.textContent = line
  element('call-transcript').append(item)
}

// Plays a reply as the gateway does: prompts in order, stopping at an input step until the
// caller answers, and ending the call after the last action.
async function playActions(actions, from) {
  const call = simulator.call
  for (let index = from; index < actions.length; index += 1) {
    const action = actions[index]
    if (action.kind === 'say' || action.kind === 'play') {
      speak(action)
    } else if (action.kind === 'getDigits' || action.kind === 'record') {
      action.prompt.forEach(speak)
      call.waiting = { action, actions, index }
      call.digits = ''
      showVoiceControls(action.kind)
      showStatus(action.kind === 'record' ? 'Recording...' : 'Press keys', '')
      return
    } else if (action.kind === 'redirect') {
      await sendVoice(localVoicePath(action.url), {})
      return
    } else {
      appendScreen('(<' + action.name + '> is not simulated)')
    }
  }
  await hangUp('Call ended')
}

function pressVoiceKey(key) {
  const call = simulator.call
  const waiting = call && call.waiting
  if (!waiting || waiting.action.kind !== 'getDigits') return
  if (key === waiting.action.finishOnKey) {
    void sendDigits()
    return
  }
  call.digits += key
  showStatus('Keys: ' + call.digits, '')
  if (waiting.action.numDigits !== undefined && call.digits.length >= waiting.action.numDigits) {
    void sendDigits()
  }
}

async function sendDigits() {
  const call = simulator.call
  const waiting = call.waiting
  if (!waiting || waiting.action.kind !== 'getDigits') return
  call.waiting = null
  appendScreen('[keys ' + (call.digits || 'none') + ']')
  await sendVoice(localVoicePath(waiting.action.callbackUrl), { dtmfDigits: call.digits })
}

// Stays silent at an input step: the gateway moves on to the actions after it.
async function staySilent() {
  const call = simulator.call
  const waiting = call && call.waiting
  if (!waiting) return
  call.waiting = null
  showVoiceControls(null)
  appendScreen('[no answer]')
  await playActions(waiting.actions, waiting.index + 1)
}

async function sendRecording() {
  const call = simulator.call
  const waiting = call && call.waiting
  if (!waiting || waiting.action.kind !== 'record') return
  call.waiting = null
  const words = element('recording-text').value.trim()
  element('recording-text').value = ''
  call.recordings += 1
  // A made-up address on a reserved domain: nothing fetches it, it only stands for the audio.
  const url =
    words === ''
      ? ''
      : 'https://recordings.example.org/simulated/' +
        call.sessionId + '-' + call.recordings + '.mp3?said=' + encodeURIComponent(words)
  appendScreen('[recorded: ' + (words || 'nothing') + ']')
  await sendVoice(localVoicePath(waiting.action.callbackUrl), { recordingUrl: url })
}

// Sends the final notification of the call (isActive=0), as the gateway does after any hang-up.
async function hangUp(reason) {
  const call = simulator.call
  if (call === null || call.ended) return
  call.ended = true
  call.waiting = null
  showVoiceControls(null)
  const seconds = Math.round((Date.now() - call.startedAt) / 1000)
  try {
    await postForm(voicePath, {
      sessionId: call.sessionId,
      isActive: '0',
      direction: 'Inbound',
      callerNumber: phoneNumber(),
      destinationNumber: call.number,
      status: 'Success',
      hangupCause: 'NORMAL_CLEARING',
      durationInSeconds: String(seconds),
      currencyCode: 'KES',
      amount: '0',
    })
  } catch (error) {
    appendScreen('Final notification failed: ' + error.message)
  }
  appendScreen('-- ' + reason + ' --')
  showStatus(reason, seconds + ' s')
  simulator.mode = 'ended'
  await Promise.all([refreshSession(), refreshMessages()])
}

function showVoiceControls(kind) {
  element('voice-keys').classList.toggle('visible', kind === 'getDigits')
  element('voice-record').classList.toggle('visible', kind === 'record')
}

// Keypad

function isUssdCode(dialled) {
  return /^\*[0-9*]*#$/.test(dialled)
}

async function pressCall() {
  if (simulator.mode === 'ussd' && simulator.ussd.open) return answerUssd()
  if (simulator.mode === 'voice') return sendDigits()

  const dialled = element('entry').value.trim()
  if (dialled === '') return
  element('entry').value = ''
  if (isUssdCode(dialled)) return startUssd(dialled)
  return startCall(dialled)
}

async function pressEnd() {
  if (simulator.mode === 'voice') return hangUp('Hung up')
  if (simulator.mode === 'ussd') return cancelUssd()
  element('entry').value = ''
  showIdle()
}

function pressKey(key) {
  if (simulator.mode === 'voice') return pressVoiceKey(key)
  if (simulator.mode === 'ended' || (simulator.mode === 'ussd' && !simulator.ussd.open)) showIdle()
  element('entry').value += key
}

function eraseKey() {
  const entry = element('entry')
  entry.value = entry.value.slice(0, -1)
}

// Side panels

let watchedKey = null

function watchSession(key) {
  watchedKey = key
  element('session-key').textContent = key
}

async function refreshSession() {
  if (watchedKey === null) return
  const key = watchedKey
  let response
  try {
    response = await fetch('/simulator/api/session?key=' + encodeURIComponent(key))
  } catch (error) {
    element('session-status').textContent = 'Could not load the session: ' + error.message
    return
  }
  if (key !== watchedKey) return
  const session = await response.json()
  if (!response.ok) {
    element('session-status').textContent = session.error
    for (const id of ['session-flow', 'session-state', 'session-context', 'session-outbox']) {
      element(id).textContent = ''
    }
    return
  }
  element('session-status').textContent = session.status
  element('session-flow').textContent =
    session.flowId + ' (version ' + session.flowVersion + ', revision ' + session.flowRevision + ')'
  element('session-state').textContent = JSON.stringify(session.value)
  element('session-context').textContent = JSON.stringify(session.context, null, 2)
  element('session-outbox').textContent =
    session.outbox.length === 0
      ? 'nothing queued'
      : session.outbox.map((effect) => effect.kind + ' to ' + effect.to + ': ' + effect.text).join('\n')
}

const sentFromPhone = []

async function refreshMessages() {
  const phone = phoneNumber()
  let messages = []
  try {
    const response = await fetch('/simulator/api/messages?phone=' + encodeURIComponent(phone))
    const result = await response.json()
    if (!response.ok) {
      element('sms-status').textContent = result.error
      return
    }
    messages = result.messages
  } catch (error) {
    element('sms-status').textContent = 'Could not load messages: ' + error.message
    return
  }

  const received = messages.map((message) => ({ ...message, direction: 'received' }))
  const sent = sentFromPhone.filter((message) => message.from === phone)
  const all = received.concat(sent).sort((a, b) => a.sentAt - b.sentAt)
  const list = element('sms-list')
  list.textContent = ''
  for (const message of all) {
    const item = document.createElement('li')
    item.className = message.direction
    const meta = document.createElement('span')
    meta.className = 'meta'
    const time = new Date(message.sentAt).toLocaleTimeString()
    meta.textContent =
      message.direction === 'received'
        ? time + ' from ' + (message.from || 'Switchboard')
        : time + ' to ' + message.to
    item.append(meta, document.createTextNode(message.text))
    list.append(item)
  }
  if (all.length === 0) {
    const item = document.createElement('li')
    item.textContent = 'No SMS for ' + phone + ' yet.'
    list.append(item)
  }
}

async function sendSms(event) {
  event.preventDefault()
  const text = element('sms-text').value
  const to = element('sms-to').value.trim()
  if (text.trim() === '' || to === '') return
  const now = Date.now()
  const fields = {
    from: phoneNumber(),
    to,
    text,
    date: providerDate(now),
    id: 'ATXid_sim_' + randomHex(8),
    linkId: 'SampleLinkId_sim_' + randomHex(4),
    networkCode: element('network-code').value.trim(),
  }

  let response
  try {
    response = await postForm(smsPath, fields)
  } catch (error) {
    element('sms-status').textContent = 'Sending failed: ' + error.message
    return
  }
  if (response.status === 404) {
    element('sms-status').textContent =
      'Inbound SMS is not available yet: this Switchboard has no POST ' + smsPath + ' route.'
    return
  }
  const body = await response.text()
  element('sms-status').textContent = response.ok
    ? 'Sent (HTTP ' + response.status + ').'
    : 'Switchboard rejected the SMS: HTTP ' + response.status + ': ' + body
  if (!response.ok) return
  element('sms-text').value = ''
  sentFromPhone.push({ from: fields.from, to, text, sentAt: now, direction: 'sent' })
  await refreshMessages()
}

async function loadRoutes() {
  const list = element('routes')
  try {
    const response = await fetch('/simulator/api/routes')
    simulator.routes = await response.json()
  } catch (error) {
    list.textContent = 'Could not load the routes: ' + error.message
    return
  }
  list.textContent = ''
  const entries = simulator.routes.ussd
    .map((route) => ({ dial: route.serviceCode, flowId: route.flowId, kind: 'USSD' }))
    .concat(simulator.routes.voice.map((route) => ({ dial: route.number, flowId: route.flowId, kind: 'Voice' })))
  for (const entry of entries) {
    const item = document.createElement('li')
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = entry.dial
    button.addEventListener('click', () => {
      element('entry').value = entry.dial
      element('entry').focus()
    })
    item.append(entry.kind + ' ', button, ' ' + entry.flowId)
    list.append(item)
  }
  if (entries.length === 0) list.textContent = 'No routes: add some to routes.yaml.'
}

// Wiring

function run(action) {
  Promise.resolve(action()).catch((error) => {
    console.error(error)
    showStatus('Error', '')
    appendScreen('Simulator error: ' + error.message)
  })
}

for (const button of document.querySelectorAll('[data-key]')) {
  button.addEventListener('click', () => run(() => pressKey(button.dataset.key)))
}
element('key-call').addEventListener('click', () => run(pressCall))
element('key-end').addEventListener('click', () => run(pressEnd))
element('key-erase').addEventListener('click', eraseKey)
element('entry').addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return
  event.preventDefault()
  run(pressCall)
})
element('silent').addEventListener('click', () => run(staySilent))
element('send-recording').addEventListener('click', () => run(sendRecording))
element('sms-form').addEventListener('submit', (event) => run(() => sendSms(event)))
element('phone-number').addEventListener('change', () => run(refreshMessages))

showIdle()
run(loadRoutes)
run(refreshMessages)
setInterval(() => {
  if (document.visibilityState === 'visible') run(refreshMessages)
}, messagePollMs)
`
