/** CSS of the simulator page: a feature phone on the left, the session and SMS panels beside it. */
export const simulatorStyle = `
:root { color-scheme: light; --ink: #1d232a; --muted: #5b6670; --line: #d6dbe0; }
* { box-sizing: border-box; }
body {
  margin: 0; padding: 16px; background: #eef1f4; color: var(--ink);
  font: 14px/1.4 system-ui, sans-serif;
}
h1 { font-size: 18px; margin: 0 0 12px; }
h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.layout { display: grid; grid-template-columns: 300px minmax(0, 1fr); gap: 16px; align-items: start; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin-bottom: 12px; }
.panels { min-width: 0; }
label { display: block; font-size: 12px; color: var(--muted); margin-bottom: 6px; }
input, textarea { font: inherit; width: 100%; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
button { font: inherit; cursor: pointer; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.35 ui-monospace, monospace; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }

.phone { background: #2b3036; border-radius: 28px; padding: 18px 16px 20px; color: #fff; }
.phone .fields { display: grid; grid-template-columns: 1fr 70px; gap: 6px; margin-bottom: 10px; }
.phone .fields label { color: #c6ccd2; margin: 0; }
.phone .fields input { background: #3b4148; color: #fff; border-color: #555d66; }
.screen-frame { background: #9fb58f; border: 3px solid #1b1f23; border-radius: 6px; padding: 6px; }
#screen {
  height: 15.5em; overflow-y: auto; color: #10180c;
  font: 13px/1.3 ui-monospace, 'DejaVu Sans Mono', monospace; width: calc(20ch + 4px);
  margin: 0 auto; white-space: pre;
}
#screen-status {
  display: flex; justify-content: space-between; border-top: 1px solid #5d6e52;
  margin-top: 4px; padding-top: 2px; color: #10180c; font: 11px ui-monospace, monospace;
}
#entry {
  margin: 10px 0 8px; background: #eef2ea; font: 15px ui-monospace, monospace; text-align: center;
}
.voice-controls { display: none; gap: 6px; margin-bottom: 8px; }
.voice-controls.visible { display: grid; }
.voice-controls input { background: #eef2ea; }
.keypad { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.keypad button {
  background: #454c54; color: #fff; border: 0; border-radius: 14px; padding: 8px 0;
  font-size: 17px; font-family: ui-monospace, monospace;
}
.keypad button:active { background: #5d656e; }
.keypad .call { background: #2f8f46; font-size: 14px; }
.keypad .end { background: #b8342e; font-size: 14px; }
.keypad .erase { background: #5b6168; font-size: 14px; }
.secondary { background: #5b6168; color: #fff; border: 0; border-radius: 8px; padding: 6px 8px; }

#routes button { background: none; border: 0; padding: 0; color: #0b5cad; text-decoration: underline; }
#routes li { margin: 2px 0; }
ul { margin: 0; padding-left: 18px; }
.notice { color: #8a4b00; }
.error { color: #b8342e; }
#sms-list { list-style: none; padding: 0; max-height: 240px; overflow-y: auto; }
#sms-list li { border-radius: 8px; padding: 6px 8px; margin: 4px 0; max-width: 85%; }
#sms-list li.received { background: #e6eef8; }
#sms-list li.sent { background: #e3f3e6; margin-left: auto; }
#sms-list .meta { display: block; font-size: 11px; color: var(--muted); }
.sms-form { display: grid; grid-template-columns: 110px minmax(0, 1fr) auto; gap: 6px; margin-top: 8px; }
#call-transcript { max-height: 200px; overflow-y: auto; }
`
