// Warren's web console: a page over the management HTTP API (/api), logged in with the same basic
// authentication. No build step and no framework: what the browser runs is this file. Every figure from the
// broker goes into the page as text (textContent), never as markup.
'use strict';

const REFRESH_MS = 5000; // RabbitMQ's statistics interval: the API's rates change no faster
const HISTORY = 60;      // samples kept for the overview's charts (5 minutes)

const session = { auth: sessionStorage.getItem('warren.auth'), user: null, history: [], timer: null };

// --- DOM helpers ---

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') { for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn); }
    else if (k === 'class') el.className = v;
    else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function svg(tag, attrs) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}

const enc = encodeURIComponent;
const $ = (id) => document.getElementById(id);

function status(text, isError) {
  const s = $('status');
  s.textContent = text || '';
  s.className = isError ? 'error' : 'notice';
}

function fmt(n) {
  if (n === null || n === undefined) return '';
  if (typeof n === 'number' && !Number.isInteger(n)) return n.toFixed(1);
  return String(n);
}

/** A figure this node does not know for another node is -1 in the API. */
function known(n) {
  return typeof n === 'number' && n >= 0 ? n : '?';
}

function bytes(n) {
  if (typeof n !== 'number' || n < 0) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + units[i];
}

function rate(obj, field) {
  const d = obj && obj[field + '_details'];
  return d && typeof d.rate === 'number' ? d.rate : 0;
}

// --- the API ---

class ApiError extends Error {
  constructor(status, reason) { super(reason); this.status = status; }
}

async function api(method, path, body, headers) {
  // X-Requested-With: the API then answers a refused login without a Basic challenge, which would make the
  // browser hold the request for a login dialog of its own.
  const init = { method, headers: Object.assign({ Authorization: session.auth, 'X-Requested-With': 'XMLHttpRequest' },
    headers || {}) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch('/api' + path, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  // A refused action is a 401 too (RabbitMQ's answer to ACCESS_REFUSED): only a refused login logs out.
  if (response.status === 401 && session.user && path !== '/whoami' && json && json.reason === 'Login failed') {
    logout('Your login is no longer accepted.');
  }
  if (!response.ok) throw new ApiError(response.status, (json && (json.reason || json.error)) || response.statusText);
  return json;
}

/** Runs an action from a form or button; shows its outcome, or its refusal, in the status line. */
async function act(what, fn, done) {
  try {
    const result = await fn();
    status(what);
    if (done) done(result);
    refresh();
    return result;
  } catch (e) {
    status((e.status ? e.status + ': ' : '') + e.message, true);
    return undefined;
  }
}

// --- login ---

async function login(user, password) {
  session.auth = 'Basic ' + btoa(unescape(enc(user + ':' + password)));
  try {
    session.user = await api('GET', '/whoami');
  } catch (e) {
    session.auth = null;
    throw e;
  }
  sessionStorage.setItem('warren.auth', session.auth);
  showApp();
}

function showApp() {
  $('login').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('page').hidden = false;
  $('who-name').textContent = session.user.name + ' (' + session.user.tags.join(', ') + ')';
  if (!location.hash) location.hash = '#/overview';
  route();
}

function logout(message) {
  sessionStorage.removeItem('warren.auth');
  session.auth = null;
  session.user = null;
  clearInterval(session.timer);
  $('nav').hidden = true;
  $('who').hidden = true;
  $('page').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
}

// --- pages: each renders once (forms keep what is typed) and refreshes its tables ---

let current = null;

function route() {
  const parts = location.hash.replace(/^#\//, '').split('/').map(decodeURIComponent);
  const name = parts[0] || 'overview';
  const page = PAGES[name] || PAGES.overview;
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('current',
    a.dataset.page === name || (name === 'queue' && a.dataset.page === 'queues')
    || (name === 'exchange' && a.dataset.page === 'exchanges')));
  const root = $('page');
  root.replaceChildren();
  status('');
  current = page(root, parts.slice(1));
  refresh();
  clearInterval(session.timer);
  session.timer = setInterval(refresh, REFRESH_MS);
}

async function refresh() {
  if (!current || !session.user) return;
  try {
    await current();
  } catch (e) {
    status((e.status ? e.status + ': ' : '') + e.message, true);
  }
}

function table(columns, rows, key) {
  const t = h('table', { class: 'list', 'data-table': key },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.title)))),
    h('tbody', {}, rows.map((row) => h('tr', { 'data-name': row.name },
      columns.map((c) => {
        const v = c.value(row);
        return h('td', { class: c.num ? 'num' : null }, v instanceof Node ? v : fmt(v));
      })))));
  if (rows.length === 0) t.append(h('tbody', {}, h('tr', {}, h('td', { colspan: columns.length }, 'none'))));
  return t;
}

function slot(parent) {
  const div = h('div', {});
  parent.append(div);
  return (content) => div.replaceChildren(content);
}

function field(label, name, attrs) {
  return h('label', {}, label + ' ', h(attrs && attrs.options ? 'select' : 'input',
    Object.assign({ name }, attrs && !attrs.options ? attrs : {}),
    ...((attrs && attrs.options) || []).map((o) => h('option', { value: o }, o))));
}

function form(title, fields, submit, onSubmit) {
  const f = h('form', { class: 'inline', 'data-form': title }, h('strong', {}, title), h('br'), ...fields,
    h('button', { type: 'submit' }, submit));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(new FormData(f).entries());
    onSubmit(values, f);
  });
  return f;
}

async function vhostNames() {
  return (await api('GET', '/vhosts')).map((v) => v.name);
}

function vhostField(names) {
  return field('Virtual host', 'vhost', { options: names });
}

function link(href, text) {
  return h('a', { href }, text);
}

// --- overview ---

function chart(title, series, samples) {
  const width = 480; const height = 140;
  const values = samples.flatMap((s) => series.map((x) => s[x.key] || 0));
  const max = Math.max(1, ...values);
  const box = svg('svg', { width, height, class: 'chart', 'data-chart': title });
  // The samples so far fill the width until there are HISTORY of them; then the oldest scroll off.
  const span = Math.max(2, samples.length) - 1;
  series.forEach((x, i) => {
    const points = samples.map((s, j) => {
      const px = (j * (width - 10)) / span + 5;
      const py = height - 5 - ((s[x.key] || 0) * (height - 25)) / max;
      return px.toFixed(1) + ',' + py.toFixed(1);
    });
    box.append(svg('polyline', { points: points.join(' '), class: 's' + i,
      'data-rated': samples.filter((s) => (s[x.key] || 0) > 0).length }));
  });
  const top = svg('text', { x: 5, y: 14, 'font-size': 11 });
  top.textContent = fmt(max) + (title.includes('rates') ? ' /s' : '');
  box.append(top);
  const last = samples[samples.length - 1] || {};
  return h('div', {}, h('h2', {}, title), box, h('div', { class: 'legend' },
    series.map((x, i) => h('span', { class: 's' + i }, x.label + ': ' + fmt(last[x.key] || 0)))));
}

function overviewPage(root) {
  root.append(h('h1', {}, 'Overview'));
  const totals = slot(root);
  const charts = slot(root);
  const nodes = slot(root);
  return async () => {
    const o = await api('GET', '/overview');
    const m = o.message_stats || {};
    const q = o.queue_totals || {};
    session.history.push({ publish: rate(m, 'publish'), confirm: rate(m, 'confirm'),
      deliver: rate(m, 'deliver_get'), ack: rate(m, 'ack'), ready: q.messages_ready || 0,
      unacked: q.messages_unacknowledged || 0 });
    if (session.history.length > HISTORY) session.history.shift();
    const objects = o.object_totals || {};
    totals(table([{ title: 'Ready', value: (r) => r.ready, num: true },
      { title: 'Unacked', value: (r) => r.unacked, num: true }, { title: 'Total', value: (r) => r.total, num: true },
      { title: 'Connections', value: (r) => objects.connections, num: true },
      { title: 'Channels', value: (r) => objects.channels, num: true },
      { title: 'Exchanges', value: (r) => objects.exchanges, num: true },
      { title: 'Queues', value: (r) => objects.queues, num: true },
      { title: 'Consumers', value: (r) => objects.consumers, num: true }],
    [{ name: 'totals', ready: q.messages_ready, unacked: q.messages_unacknowledged, total: q.messages }], 'totals'));
    charts(h('div', {}, chart('Message rates', [{ key: 'publish', label: 'Publish' },
      { key: 'confirm', label: 'Confirm' }, { key: 'deliver', label: 'Deliver / get' }, { key: 'ack', label: 'Ack' }],
    session.history), chart('Queued messages', [{ key: 'ready', label: 'Ready' },
      { key: 'unacked', label: 'Unacked' }], session.history)));
    if (session.user.tags.some((t) => t === 'administrator' || t === 'monitoring')) {
      nodes(h('div', {}, h('h2', {}, 'Nodes'), nodesTable(await api('GET', '/nodes'))));
    }
  };
}

function nodesTable(list) {
  return table([{ title: 'Node', value: (n) => n.name }, { title: 'Running', value: (n) => (n.running ? 'yes' : 'no') },
    { title: 'Raft role', value: (n) => n.raft_role }, { title: 'Term', value: (n) => n.raft_term, num: true },
    { title: 'Commit index', value: (n) => known(n.raft_commit_index), num: true },
    { title: 'Lag (entries)', value: (n) => known(n.raft_lag), num: true },
    { title: 'Memory used', value: (n) => bytes(n.mem_used), num: true },
    { title: 'Disk free', value: (n) => bytes(n.disk_free), num: true },
    { title: 'Alarms', value: (n) => [n.mem_alarm ? 'memory' : '', n.disk_free_alarm ? 'disk' : ''].filter(Boolean)
      .join(', ') || 'none' }], list, 'nodes');
}

function nodesPage(root) {
  root.append(h('h1', {}, 'Cluster nodes'));
  const list = slot(root);
  return async () => list(nodesTable(await api('GET', '/nodes')));
}

// --- connections, channels, consumers ---

function connectionsPage(root) {
  root.append(h('h1', {}, 'Connections'));
  const list = slot(root);
  return async () => {
    const rows = await api('GET', '/connections');
    list(table([{ title: 'Name', value: (c) => c.name }, { title: 'Node', value: (c) => c.node },
      { title: 'User', value: (c) => c.user }, { title: 'Virtual host', value: (c) => c.vhost },
      { title: 'Channels', value: (c) => c.channels, num: true },
      { title: 'Client name', value: (c) => (c.client_properties || {}).connection_name || '' },
      { title: '', value: (c) => h('button', { type: 'button', 'data-close': c.name, on: { click: () => {
        const reason = prompt('Close connection ' + c.name + ' with reason:', 'Closed via management console');
        if (reason !== null) {
          act('Connection closed.', () => api('DELETE', '/connections/' + enc(c.name), undefined,
            { 'X-Reason': reason }));
        }
      } } }, 'Close') }], rows, 'connections'));
  };
}

function channelsPage(root) {
  root.append(h('h1', {}, 'Channels'));
  const list = slot(root);
  return async () => list(table([{ title: 'Channel', value: (c) => c.name }, { title: 'User', value: (c) => c.user },
    { title: 'Virtual host', value: (c) => c.vhost }, { title: 'Consumers', value: (c) => c.consumer_count, num: true },
    { title: 'Unacked', value: (c) => c.messages_unacknowledged, num: true },
    { title: 'Prefetch', value: (c) => c.prefetch_count, num: true },
    { title: 'Confirm', value: (c) => (c.confirm ? 'yes' : 'no') }], await api('GET', '/channels'), 'channels'));
}

function consumersPage(root) {
  root.append(h('h1', {}, 'Consumers'));
  const list = slot(root);
  return async () => list(table([{ title: 'Queue', value: (c) => c.queue.name },
    { title: 'Virtual host', value: (c) => c.queue.vhost }, { title: 'Tag', value: (c) => c.consumer_tag },
    { title: 'Channel', value: (c) => c.channel_details.name }, { title: 'Ack required', value: (c) => (c.ack_required ? 'yes' : 'no') },
    { title: 'Prefetch', value: (c) => c.prefetch_count, num: true }], await api('GET', '/consumers'), 'consumers'));
}

// --- exchanges ---

function exchangesPage(root) {
  root.append(h('h1', {}, 'Exchanges'));
  const list = slot(root);
  const add = slot(root);
  vhostNames().then((names) => add(form('Add an exchange', [vhostField(names), field('Name', 'name', { required: true }),
    field('Type', 'type', { options: ['direct', 'fanout', 'topic', 'headers'] }),
    field('Durable', 'durable', { options: ['true', 'false'] })], 'Add exchange', (v) => act('Exchange declared.',
    () => api('PUT', '/exchanges/' + enc(v.vhost) + '/' + enc(v.name), { type: v.type, durable: v.durable === 'true',
      auto_delete: false, internal: false, arguments: {} })))));
  return async () => list(table([{ title: 'Virtual host', value: (x) => x.vhost },
    { title: 'Name', value: (x) => link('#/exchange/' + enc(x.vhost) + '/' + enc(x.name || 'amq.default'),
      x.name || '(AMQP default)') },
    { title: 'Type', value: (x) => x.type }, { title: 'Durable', value: (x) => (x.durable ? 'yes' : 'no') },
    { title: 'Internal', value: (x) => (x.internal ? 'yes' : 'no') }], await api('GET', '/exchanges'), 'exchanges'));
}

function publishForm(vhost, exchange, fixedKey) {
  const fields = [];
  if (fixedKey === undefined) fields.push(field('Routing key', 'routing_key'));
  fields.push(field('Delivery mode', 'delivery_mode', { options: ['2 - persistent', '1 - non-persistent'] }),
    h('br'), h('label', {}, 'Payload ', h('textarea', { name: 'payload', rows: 3, cols: 60 })));
  return form('Publish a message', fields, 'Publish message', (v) => act('Message published.', async () => {
    const answer = await api('POST', '/exchanges/' + enc(vhost) + '/' + enc(exchange || 'amq.default') + '/publish', {
      routing_key: fixedKey === undefined ? v.routing_key : fixedKey, payload: v.payload, payload_encoding: 'string',
      properties: { delivery_mode: v.delivery_mode.startsWith('2') ? 2 : 1 } });
    if (!answer.routed) throw new ApiError(0, 'Message published, but not routed to any queue.');
    return answer;
  }));
}

function exchangePage(root, [vhost, name]) {
  const shown = name === 'amq.default' ? '' : name;
  root.append(h('h1', {}, 'Exchange ' + (shown || '(AMQP default)') + ' in ' + vhost));
  const bindings = slot(root);
  root.append(publishForm(vhost, shown));
  if (shown && !shown.startsWith('amq.')) {
    root.append(h('button', { type: 'button', 'data-action': 'delete-exchange', on: { click: () => {
      if (confirm('Delete exchange ' + shown + '?')) {
        act('Exchange deleted.', () => api('DELETE', '/exchanges/' + enc(vhost) + '/' + enc(shown)),
          () => { location.hash = '#/exchanges'; });
      }
    } } }, 'Delete this exchange'));
  }
  return async () => {
    if (!shown) return bindings(h('p', {}, 'Every queue is bound to the default exchange by its name.'));
    const rows = await api('GET', '/exchanges/' + enc(vhost) + '/' + enc(shown) + '/bindings/source');
    return bindings(h('div', {}, h('h2', {}, 'Bindings from this exchange'), table([
      { title: 'To', value: (b) => b.destination + ' (' + b.destination_type + ')' },
      { title: 'Routing key', value: (b) => b.routing_key }], rows, 'bindings')));
  };
}

// --- queues ---

function queuesPage(root) {
  root.append(h('h1', {}, 'Queues'));
  const list = slot(root);
  const add = slot(root);
  vhostNames().then((names) => add(form('Add a queue', [vhostField(names), field('Name', 'name', { required: true }),
    field('Type', 'type', { options: ['quorum', 'classic'] }), field('Durable', 'durable', { options: ['true', 'false'] })],
  'Add queue', (v) => act('Queue declared.', () => api('PUT', '/queues/' + enc(v.vhost) + '/' + enc(v.name),
    { durable: v.durable === 'true', auto_delete: false, arguments: { 'x-queue-type': v.type } })))));
  return async () => list(table([{ title: 'Virtual host', value: (q) => q.vhost },
    { title: 'Name', value: (q) => link('#/queue/' + enc(q.vhost) + '/' + enc(q.name), q.name) },
    { title: 'Type', value: (q) => q.type }, { title: 'Leader', value: (q) => q.leader },
    { title: 'Members', value: (q) => (q.members || []).join(' ') },
    { title: 'Ready', value: (q) => q.messages_ready, num: true },
    { title: 'Unacked', value: (q) => q.messages_unacknowledged, num: true },
    { title: 'Total', value: (q) => q.messages, num: true },
    { title: 'Consumers', value: (q) => q.consumers, num: true },
    { title: 'Incoming /s', value: (q) => rate(q.message_stats, 'publish'), num: true },
    { title: 'Deliver / get /s', value: (q) => rate(q.message_stats, 'deliver_get'), num: true },
    { title: 'Ack /s', value: (q) => rate(q.message_stats, 'ack'), num: true }], await api('GET', '/queues'), 'queues'));
}

function queuePage(root, [vhost, name]) {
  const path = '/queues/' + enc(vhost) + '/' + enc(name);
  root.append(h('h1', {}, 'Queue ' + name + ' in ' + vhost));
  const details = slot(root);
  const bindings = slot(root);
  root.append(form('Add a binding to this queue', [field('From exchange', 'source', { required: true }),
    field('Routing key', 'routing_key')], 'Bind', (v) => act('Binding added.', () => api('POST', '/bindings/' + enc(vhost)
    + '/e/' + enc(v.source) + '/q/' + enc(name), { routing_key: v.routing_key, arguments: {} }))));
  root.append(publishForm(vhost, '', name));
  const got = h('div', { id: 'got-messages' });
  root.append(form('Get messages', [field('Ack mode', 'ackmode', { options: ['ack_requeue_true', 'ack_requeue_false',
    'reject_requeue_true', 'reject_requeue_false'] }), field('Encoding', 'encoding', { options: ['auto', 'base64'] }),
  field('Messages', 'count', { value: 1, size: 4 })], 'Get messages', (v) => act('Messages got.', () => api('POST',
    path + '/get', { count: Number(v.count), ackmode: v.ackmode, encoding: v.encoding, truncate: 50000 }),
  (messages) => got.replaceChildren(messages.length === 0 ? h('p', {}, 'Queue is empty.')
    : h('div', {}, messages.map((m, i) => h('div', { class: 'message' }, h('strong', {}, 'Message ' + (i + 1)),
      ' from exchange ' + (m.exchange || '(AMQP default)') + ', routing key ' + m.routing_key
      + (m.redelivered ? ', redelivered' : '') + ', ' + m.payload_bytes + ' bytes, ' + m.message_count
      + ' left in the queue', h('pre', { class: 'payload' }, m.payload))))))));
  root.append(got);
  root.append(h('div', {}, h('button', { type: 'button', 'data-action': 'purge', on: { click: () => {
    if (confirm('Purge all messages of ' + name + '?')) act('Queue purged.', () => api('DELETE', path + '/contents'));
  } } }, 'Purge messages'), ' ', h('button', { type: 'button', 'data-action': 'delete-queue', on: { click: () => {
    if (confirm('Delete queue ' + name + '?')) {
      act('Queue deleted.', () => api('DELETE', path), () => { location.hash = '#/queues'; });
    }
  } } }, 'Delete queue')));
  return async () => {
    const q = await api('GET', path);
    details(table([{ title: 'Type', value: (r) => r.type }, { title: 'Leader', value: (r) => r.leader },
      { title: 'Members', value: (r) => (r.members || []).join(' ') },
      { title: 'Online', value: (r) => (r.online || []).join(' ') }, { title: 'Policy', value: (r) => r.policy || '' },
      { title: 'Ready', value: (r) => r.messages_ready, num: true },
      { title: 'Unacked', value: (r) => r.messages_unacknowledged, num: true },
      { title: 'Total', value: (r) => r.messages, num: true },
      { title: 'Bytes', value: (r) => bytes(r.message_bytes), num: true },
      { title: 'Consumers', value: (r) => r.consumers, num: true }], [Object.assign({ name }, q)], 'queue'));
    const rows = await api('GET', path + '/bindings');
    bindings(h('div', {}, h('h2', {}, 'Bindings'), table([
      { title: 'From', value: (b) => b.source || '(AMQP default)' }, { title: 'Routing key', value: (b) => b.routing_key },
      { title: '', value: (b) => (b.source ? h('button', { type: 'button', on: { click: () => act('Binding removed.',
        () => api('DELETE', '/bindings/' + enc(vhost) + '/e/' + enc(b.source) + '/q/' + enc(name) + '/'
          + enc(b.properties_key))) } }, 'Unbind') : '') }], rows, 'bindings')));
  };
}

// --- admin: users, vhosts, permissions, policies ---

function adminPage(root) {
  root.append(h('h1', {}, 'Admin'));
  const users = slot(root);
  root.append(form('Add a user', [field('Username', 'name', { required: true }),
    field('Password', 'password', { type: 'password' }), field('Tags', 'tags', { placeholder: 'administrator' })],
  'Add user', (v) => act('User added.', () => api('PUT', '/users/' + enc(v.name), { password: v.password, tags: v.tags }))));
  const vhosts = slot(root);
  root.append(form('Add a virtual host', [field('Name', 'name', { required: true })], 'Add virtual host',
    (v) => act('Virtual host added.', () => api('PUT', '/vhosts/' + enc(v.name), {}))));
  const permissions = slot(root);
  root.append(form('Set permissions', [field('User', 'user', { required: true }),
    field('Virtual host', 'vhost', { value: '/' }), field('Configure', 'configure', { value: '.*' }),
    field('Write', 'write', { value: '.*' }), field('Read', 'read', { value: '.*' })], 'Set permission',
  (v) => act('Permission set.', () => api('PUT', '/permissions/' + enc(v.vhost) + '/' + enc(v.user),
    { configure: v.configure, write: v.write, read: v.read }))));
  const policies = slot(root);
  root.append(form('Add a policy', [field('Virtual host', 'vhost', { value: '/' }), field('Name', 'name', { required: true }),
    field('Pattern', 'pattern', { required: true }), field('Apply to', 'apply', { options: ['queues', 'exchanges', 'all'] }),
    field('Priority', 'priority', { value: 0, size: 4 }), field('Definition (JSON)', 'definition',
      { value: '{"max-length": 1000}', size: 40 })], 'Add policy', (v) => act('Policy set.', () => {
    let definition;
    try { definition = JSON.parse(v.definition); } catch (e) { throw new ApiError(0, 'The definition is not JSON.'); }
    return api('PUT', '/policies/' + enc(v.vhost) + '/' + enc(v.name), { pattern: v.pattern, definition,
      priority: Number(v.priority), 'apply-to': v.apply });
  })));
  const remove = (what, path) => h('button', { type: 'button', on: { click: () => {
    if (confirm('Delete ' + what + '?')) act('Deleted ' + what + '.', () => api('DELETE', path));
  } } }, 'Delete');
  return async () => {
    users(h('div', {}, h('h2', {}, 'Users'), table([{ title: 'Name', value: (u) => u.name },
      { title: 'Tags', value: (u) => [].concat(u.tags || []).join(', ') },
      { title: '', value: (u) => remove('user ' + u.name, '/users/' + enc(u.name)) }], await api('GET', '/users'), 'users')));
    vhosts(h('div', {}, h('h2', {}, 'Virtual hosts'), table([{ title: 'Name', value: (v) => v.name },
      { title: 'Messages', value: (v) => v.messages, num: true },
      { title: '', value: (v) => remove('virtual host ' + v.name, '/vhosts/' + enc(v.name)) }],
    await api('GET', '/vhosts'), 'vhosts')));
    permissions(h('div', {}, h('h2', {}, 'Permissions'), table([{ title: 'User', value: (p) => p.user },
      { title: 'Virtual host', value: (p) => p.vhost }, { title: 'Configure', value: (p) => p.configure },
      { title: 'Write', value: (p) => p.write }, { title: 'Read', value: (p) => p.read },
      { title: '', value: (p) => remove('permissions of ' + p.user + ' in ' + p.vhost, '/permissions/' + enc(p.vhost) + '/'
        + enc(p.user)) }], await api('GET', '/permissions'), 'permissions')));
    policies(h('div', {}, h('h2', {}, 'Policies'), table([{ title: 'Virtual host', value: (p) => p.vhost },
      { title: 'Name', value: (p) => p.name }, { title: 'Pattern', value: (p) => p.pattern },
      { title: 'Apply to', value: (p) => p['apply-to'] }, { title: 'Priority', value: (p) => p.priority, num: true },
      { title: 'Definition', value: (p) => JSON.stringify(p.definition) },
      { title: '', value: (p) => remove('policy ' + p.name, '/policies/' + enc(p.vhost) + '/' + enc(p.name)) }],
    await api('GET', '/policies'), 'policies')));
  };
}

const PAGES = { overview: overviewPage, nodes: nodesPage, connections: connectionsPage, channels: channelsPage,
  consumers: consumersPage, exchanges: exchangesPage, exchange: exchangePage, queues: queuesPage, queue: queuePage,
  admin: adminPage };

// --- start ---

document.addEventListener('DOMContentLoaded', () => {
  $('login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('login-error').textContent = '';
    try {
      await login($('login-user').value, $('login-password').value);
    } catch (e) {
      $('login-error').textContent = e.message;
    }
  });
  $('logout').addEventListener('click', () => logout(''));
  window.addEventListener('hashchange', () => { if (session.user) route(); });
  if (session.auth) {
    api('GET', '/whoami').then((user) => {
      session.user = user;
      showApp();
    }).catch(() => logout(''));
  } else {
    logout('');
  }
});
