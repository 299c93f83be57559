import { simulatorScript } from './simulator-script.ts'
import { simulatorStyle } from './simulator-style.ts'

const digitKeys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']

function keyId(key: string): string {
  if (key === '*') return 'key-star'
  if (key === '#') return 'key-hash'
  return `key-${key}`
}

const keypad = digitKeys
  .map((key) => `<button type="button" id="${keyId(key)}" data-key="${key}">${key}</button>`)
  .join('\n      ')

/**
 * The simulator page: one self-contained HTML document with its CSS and script inline, so it
 * loads nothing from another origin and needs no build step.
 */
export const simulatorPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard phone simulator</title>
<link rel="icon" href="data:,">
<style>${simulatorStyle}</style>
</head>
<body>
<h1>Switchboard phone simulator</h1>
<div class="layout">
  <section class="phone" aria-label="Simulated phone">
    <div class="fields">
      <label for="phone-number">Phone number</label>
      <label for="network-code">Network</label>
      <input id="phone-number" value="+254700000001" autocomplete="off">
      <input id="network-code" value="63902" autocomplete="off">
    </div>
    <div class="screen-frame">
      <pre id="screen" aria-live="polite"></pre>
      <div id="screen-status"><span id="status-left"></span><span id="status-right"></span></div>
    </div>
    <input id="entry" aria-label="Number or reply" autocomplete="off" placeholder="*384*123#">
    <div class="voice-controls" id="voice-keys">
      <button type="button" class="secondary" id="silent">Stay silent (input times out)</button>
    </div>
    <div class="voice-controls" id="voice-record">
      <input id="recording-text" aria-label="What you say" placeholder="What you say">
      <button type="button" class="secondary" id="send-recording">Send recording</button>
    </div>
    <div class="keypad">
      <button type="button" id="key-call" class="call">Call</button>
      <button type="button" id="key-erase" class="erase" aria-label="Delete">Del</button>
      <button type="button" id="key-end" class="end">End</button>
      ${keypad}
    </div>
  </section>

  <div class="panels">
    <section class="panel">
      <h2>Routes</h2>
      <ul id="routes"></ul>
    </section>

    <section class="panel" aria-label="Session">
      <h2>Session</h2>
      <dl>
        <dt>Key</dt><dd><pre id="session-key">none yet</pre></dd>
        <dt>Status</dt><dd><pre id="session-status"></pre></dd>
        <dt>Flow</dt><dd><pre id="session-flow"></pre></dd>
        <dt>State</dt><dd><pre id="session-state"></pre></dd>
        <dt>Context</dt><dd><pre id="session-context"></pre></dd>
        <dt>Outbox</dt><dd><pre id="session-outbox"></pre></dd>
      </dl>
    </section>

    <section class="panel" aria-label="Voice call">
      <h2>Call transcript</h2>
      <ol id="call-transcript"></ol>
    </section>

    <section class="panel" aria-label="SMS">
      <h2>SMS</h2>
      <ul id="sms-list"></ul>
      <form id="sms-form" class="sms-form">
        <input id="sms-to" aria-label="To (short code)" value="12345">
        <input id="sms-text" aria-label="SMS text" placeholder="Type an SMS to send">
        <button type="submit" class="secondary" id="sms-send">Send SMS</button>
      </form>
      <p id="sms-status" class="notice"></p>
    </section>
  </div>
</div>
<script>${simulatorScript}</script>
</body>
</html>
`
