// Browser code of the agent inbox. It is kept free of backticks and template placeholders,
// because it is embedded in a template literal. Every value from the API is shown with
// textContent, never as HTML.
export const inboxScript = `
'use strict';
var state = { team: '', token: '', agent: '', selected: null, leases: {}, teams: [] };
var byId = function (id) { return document.getElementById(id); };

function load() {
  try {
    var saved = JSON.parse(sessionStorage.getItem('switchboard-inbox') || 'null');
    if (saved) { state.team = saved.team; state.token = saved.token; state.agent = saved.agent; state.leases = saved.leases || {}; }
  } catch (error) { sessionStorage.removeItem('switchboard-inbox'); }
}

function save() {
  sessionStorage.setItem('switchboard-inbox', JSON.stringify({ team: state.team, token: state.token, agent: state.agent, leases: state.leases }));
}

function say(text, isError) {
  var status = byId('status');
  status.textContent = text;
  status.className = isError ? 'error' : '';
}

function api(method, path, body, extraHeaders) {
  var headers = { authorization: 'Bearer ' + state.token };
  if (body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, extraHeaders || {});
  var url = '/api/teams/' + encodeURIComponent(state.team) + path;
  return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          if (response.status === 401 || response.status === 403) showLogin();
          throw new Error(json.error || ('Request failed with HTTP ' + response.status));
        }
        return json;
      });
    });
}

function minutesSince(at) {
  var minutes = Math.max(0, Math.round((Date.now() - at) / 60000));
  return minutes < 60 ? minutes + ' min' : Math.round(minutes / 60) + ' h';
}

function when(at) { return new Date(at).toLocaleString(); }

function element(tag, text, className) {
  var node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function fillList(id, entries, describe) {
  var list = byId(id);
  list.replaceChildren();
  if (!entries || entries.length === 0) { list.appendChild(element('li', 'None', 'muted')); return; }
  entries.forEach(function (entry) { list.appendChild(element('li', describe(entry))); });
}

function showLogin() {
  byId('login').hidden = false;
  byId('desk').hidden = true;
  byId('sign-out').hidden = true;
  byId('who').textContent = '';
}

function showDesk() {
  byId('login').hidden = true;
  byId('desk').hidden = false;
  byId('sign-out').hidden = false;
  byId('who').textContent = state.agent + ' - team ' + state.team;
}

function refresh() {
  return api('GET', '/items').then(function (result) {
    state.teams = result.transferTo || [];
    renderQueue(result.items);
    renderTransferTargets();
    if (state.selected) return openItem(state.selected);
  }).catch(function (error) { say(error.message, true); });
}

function renderQueue(items) {
  var body = byId('queue');
  body.replaceChildren();
  byId('empty').hidden = items.length > 0;
  var queued = items.filter(function (item) { return item.status === 'queued'; }).length;
  byId('counts').textContent = '(' + queued + ' waiting, ' + (items.length - queued) + ' claimed)';
  items.forEach(function (item) {
    var row = element('tr', undefined, 'item' + (item.reference === state.selected ? ' selected' : ''));
    row.dataset.reference = item.reference;
    row.appendChild(element('td', item.reference));
    var priority = element('td');
    priority.appendChild(element('span', item.priority, 'badge ' + item.priority));
    row.appendChild(priority);
    row.appendChild(element('td', item.category));
    var status = element('td');
    status.appendChild(element('span', item.status === 'claimed' ? 'claimed by ' + item.claimedBy : item.status, 'badge ' + item.status));
    row.appendChild(status);
    row.appendChild(element('td', minutesSince(item.queuedAt)));
    row.addEventListener('click', function () { openItem(item.reference); });
    body.appendChild(row);
  });
}

function renderTransferTargets() {
  var select = byId('transfer-to');
  select.replaceChildren();
  state.teams.forEach(function (team) { select.appendChild(element('option', team)); });
}

function openItem(reference) {
  state.selected = reference;
  return api('GET', '/items/' + encodeURIComponent(reference)).then(function (result) {
    renderDetail(result.item, result.events);
  }).catch(function (error) { say(error.message, true); });
}

function renderDetail(item, events) {
  var context = item.context || {};
  var contact = context.contact || {};
  byId('detail').hidden = false;
  byId('detail-reference').textContent = item.reference;
  var status = byId('detail-status');
  status.textContent = item.status === 'claimed' ? 'claimed by ' + item.claimedBy : item.status;
  status.className = 'badge ' + item.status;
  byId('detail-meta').textContent = item.category + ' - ' + item.priority + ' - rule ' + item.rule + ' - ' +
    item.message.channel + ' to ' + item.message.to + ' - received ' + when(item.message.receivedAt);
  byId('detail-text').textContent = item.message.text;
  byId('detail-contact').textContent = contact.msisdn + ' - language ' + (contact.language || 'unknown') +
    (contact.optedOut ? ' - opted out (' + (contact.optOutReason || 'unknown reason') + ')' : ' - not opted out');
  fillList('asked-before', context.askedBefore, function (entry) {
    return when(entry.at) + ': ' + (entry.text || '') + (entry.reference ? ' (' + entry.reference + ')' : '');
  });
  fillList('recent-sent', context.recentSent, function (entry) { return when(entry.at) + ': ' + (entry.text || ''); });
  fillList('sessions', context.sessions, function (entry) {
    return when(entry.at) + ': ' + entry.channel + ' ' + (entry.outcome || '');
  });
  fillList('events', events, function (event) {
    return when(event.at) + ' ' + event.kind + ' by ' + event.by + (event.team ? ' (' + event.team + ')' : '') + (event.text ? ': ' + event.text : '');
  });
  var mine = item.status === 'claimed' && state.leases[item.reference] !== undefined && item.claimedBy === state.agent;
  byId('claim').hidden = mine || item.status === 'resolved';
  ['send-reply', 'resolve', 'release'].forEach(function (id) { byId(id).disabled = !mine; });
  Array.prototype.forEach.call(document.querySelectorAll('tr.item'), function (row) {
    row.classList.toggle('selected', row.dataset.reference === item.reference);
  });
}

function remember(claim) {
  state.leases[claim.item.reference] = claim.lease;
  save();
  state.selected = claim.item.reference;
}

function act(promise, done) {
  return promise.then(function (result) { say(done); return refresh().then(function () { return result; }); })
    .catch(function (error) { say(error.message, true); });
}

function newKey() {
  return 'inbox-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
}

byId('login-form').addEventListener('submit', function (event) {
  event.preventDefault();
  state.team = byId('team').value.trim();
  state.token = byId('token').value;
  state.agent = byId('agent').value.trim();
  state.leases = {};
  api('GET', '/items').then(function () {
    save();
    showDesk();
    say('Signed in to team ' + state.team + '.');
    return refresh();
  }).catch(function (error) { say(error.message, true); });
});

byId('sign-out').addEventListener('click', function () {
  sessionStorage.removeItem('switchboard-inbox');
  state = { team: '', token: '', agent: '', selected: null, leases: {}, teams: [] };
  byId('detail').hidden = true;
  showLogin();
  say('Signed out.');
});

byId('refresh').addEventListener('click', function () { refresh(); });

byId('claim-next').addEventListener('click', function () {
  api('POST', '/claim', { agent: state.agent }).then(function (claim) {
    if (!claim.item) { say('No items waiting.'); return refresh(); }
    remember(claim);
    say('Claimed ' + claim.item.reference + '.');
    return refresh();
  }).catch(function (error) { say(error.message, true); });
});

byId('claim').addEventListener('click', function () {
  var reference = state.selected;
  api('POST', '/items/' + encodeURIComponent(reference) + '/claim', { agent: state.agent }).then(function (claim) {
    remember(claim);
    say('Claimed ' + reference + '.');
    return refresh();
  }).catch(function (error) { say(error.message, true); });
});

byId('send-reply').addEventListener('click', function () {
  var reference = state.selected;
  var text = byId('reply-text').value.trim();
  if (text === '') { say('Write the reply first.', true); return; }
  act(api('POST', '/items/' + encodeURIComponent(reference) + '/reply',
    { lease: state.leases[reference], text: text }, { 'idempotency-key': newKey() }), 'Reply sent to ' + reference + '.')
    .then(function (result) { if (result) byId('reply-text').value = ''; });
});

byId('resolve').addEventListener('click', function () {
  var reference = state.selected;
  var text = byId('resolve-text').value.trim();
  if (text === '') { say('Write the closing message first.', true); return; }
  act(api('POST', '/items/' + encodeURIComponent(reference) + '/resolve', { lease: state.leases[reference], text: text }),
    'Resolved ' + reference + '; the person was sent the closing SMS.')
    .then(function (result) {
      if (!result) return;
      byId('resolve-text').value = '';
      delete state.leases[reference];
      save();
    });
});

byId('add-note').addEventListener('click', function () {
  var reference = state.selected;
  var text = byId('note-text').value.trim();
  if (text === '') { say('Write the note first.', true); return; }
  act(api('POST', '/items/' + encodeURIComponent(reference) + '/notes', { agent: state.agent, text: text }), 'Note added.')
    .then(function (result) { if (result) byId('note-text').value = ''; });
});

byId('transfer').addEventListener('click', function () {
  var reference = state.selected;
  var to = byId('transfer-to').value;
  var body = { to: to, agent: state.agent };
  if (state.leases[reference]) body.lease = state.leases[reference];
  act(api('POST', '/items/' + encodeURIComponent(reference) + '/transfer', body), reference + ' transferred to ' + to + '.')
    .then(function (result) {
      if (!result) return;
      delete state.leases[reference];
      state.selected = null;
      byId('detail').hidden = true;
      save();
    });
});

byId('release').addEventListener('click', function () {
  var reference = state.selected;
  act(api('POST', '/items/' + encodeURIComponent(reference) + '/release', { lease: state.leases[reference] }), reference + ' is back in the queue.')
    .then(function (result) { if (result) { delete state.leases[reference]; save(); } });
});

load();
if (state.token) { showDesk(); refresh(); } else { showLogin(); }
`
