/** Styles of the agent inbox page. */
export const inboxStyle = `
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: #1d2329; background: #f3f5f7; }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #1d3b53; color: #fff; }
header h1 { font-size: 18px; margin: 0; flex: 1; }
main { display: grid; grid-template-columns: minmax(360px, 1fr) minmax(420px, 1.2fr); gap: 16px; padding: 16px 20px; }
section { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; color: #4a5561; }
label { display: block; font-size: 13px; color: #4a5561; margin: 8px 0 2px; }
input, textarea, select { width: 100%; padding: 6px 8px; font: inherit; border: 1px solid #c4ccd4; border-radius: 4px; }
textarea { min-height: 56px; resize: vertical; }
button { padding: 6px 12px; font: inherit; border: 0; border-radius: 4px; background: #2f6f9f; color: #fff; cursor: pointer; margin-top: 6px; }
button.secondary { background: #e3e8ed; color: #1d2329; }
button:disabled { opacity: .5; cursor: default; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 6px 4px; border-bottom: 1px solid #e6eaee; vertical-align: top; }
tr.item { cursor: pointer; }
tr.item:hover, tr.item.selected { background: #eef5fb; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e3e8ed; }
.badge.urgent { background: #c62828; color: #fff; }
.badge.high { background: #ef8f00; color: #fff; }
.badge.claimed { background: #2e7d32; color: #fff; }
.message { white-space: pre-wrap; background: #f7f9fa; border-left: 3px solid #2f6f9f; padding: 8px 10px; margin: 6px 0; }
ul { margin: 0; padding-left: 18px; }
li { margin: 2px 0; }
.muted { color: #6b7781; font-size: 13px; }
.actions { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 16px; }
#status { min-height: 20px; margin: 0 20px; color: #1d3b53; }
#status.error { color: #b71c1c; }
#login { max-width: 360px; margin: 40px auto; }
[hidden] { display: none !important; }
`
