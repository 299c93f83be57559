import { inboxScript } from './inbox-script.ts'
import { inboxStyle } from './inbox-style.ts'

/** The agent inbox: one self-contained page that works with the agent API only. */
export const inboxPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard inbox</title>
<style>${inboxStyle}</style>
</head>
<body>
<header>
  <h1>Switchboard inbox</h1>
  <span id="who" class="muted"></span>
  <button id="sign-out" class="secondary" hidden>Sign out</button>
</header>
<p id="status" role="status"></p>

<section id="login">
  <h2>Sign in</h2>
  <form id="login-form">
    <label for="team">Team</label>
    <input id="team" name="team" autocomplete="organization" required placeholder="nurses">
    <label for="token">Team token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <label for="agent">Your name</label>
    <input id="agent" name="agent" autocomplete="name" required placeholder="Amina">
    <button id="sign-in" type="submit">Sign in</button>
  </form>
</section>

<main id="desk" hidden>
  <section>
    <h2>Queue <span id="counts" class="muted"></span></h2>
    <button id="claim-next">Claim next</button>
    <button id="refresh" class="secondary">Refresh</button>
    <table>
      <thead><tr><th>Reference</th><th>Priority</th><th>Category</th><th>Status</th><th>Waiting</th></tr></thead>
      <tbody id="queue"></tbody>
    </table>
    <p id="empty" class="muted" hidden>No items waiting.</p>
  </section>

  <section id="detail" hidden>
    <h2><span id="detail-reference"></span> <span id="detail-status" class="badge"></span></h2>
    <div class="muted" id="detail-meta"></div>
    <div class="message" id="detail-text"></div>
    <button id="claim">Claim</button>

    <h3>Person</h3>
    <div id="detail-contact"></div>
    <h3>Asked before</h3>
    <ul id="asked-before"></ul>
    <h3>Recent SMS sent to them</h3>
    <ul id="recent-sent"></ul>
    <h3>Last sessions</h3>
    <ul id="sessions"></ul>
    <h3>Activity</h3>
    <ul id="events"></ul>

    <div class="actions">
      <div>
        <label for="reply-text">Reply by SMS</label>
        <textarea id="reply-text" maxlength="430"></textarea>
        <button id="send-reply">Send reply</button>
      </div>
      <div>
        <label for="resolve-text">Resolve with a closing message</label>
        <textarea id="resolve-text" maxlength="300"></textarea>
        <button id="resolve">Resolve</button>
      </div>
      <div>
        <label for="note-text">Note for the team</label>
        <textarea id="note-text" maxlength="2000"></textarea>
        <button id="add-note" class="secondary">Add note</button>
      </div>
      <div>
        <label for="transfer-to">Transfer to team</label>
        <select id="transfer-to"></select>
        <button id="transfer" class="secondary">Transfer</button>
        <button id="release" class="secondary">Give back</button>
      </div>
    </div>
  </section>
</main>
<script>${inboxScript}</script>
</body>
</html>
`
