// The JobRelay operator console: one small ES module, no framework, no CDN (the console must work
// with no network beyond its own API). It signs in with an API key kept in this tab only
// (sessionStorage) and calls the same /v1 API the bots and the CLI use. Every value from the API
// is put on the page as text (textContent), never as HTML.

const KEY_STORAGE = 'jobrelay.apiKey';
const main = document.getElementById('main');
const flashBox = document.getElementById('flash');

/** Builds an element: h('td', {class: 'num'}, 'text', childNode). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const apiKey = () => sessionStorage.getItem(KEY_STORAGE);

class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

async function api(method, path, body, key = apiKey()) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    if (response.status === 401 && key === apiKey()) signOut('Your API key no longer works: sign in again.');
    throw new ApiFailure(response.status, parsed);
  }
  return parsed;
}

function flash(message, kind = 'ok') {
  flashBox.replaceChildren(h('p', { class: `msg ${kind === 'error' ? 'error' : ''}`, 'data-kind': kind }, message));
}

const status = (value) => h('span', { class: `status ${value}` }, value);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const money = (cents) => `$${(cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (rate) => (rate === null || rate === undefined ? '–' : `${Math.round(rate * 1000) / 10}%`);

function age(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

function table(headers, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((header) => h('th', { class: header.num ? 'num' : undefined }, header.label ?? header)),
      ),
    ),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'Nothing here.'))),
  );
}

// ---------------------------------------------------------------- sign in

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  renderSignIn(message);
}

function renderSignIn(message) {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', placeholder: 'jr_…', required: true });
  const error = h('p', { id: 'signin-error', class: 'muted' }, message ?? '');
  const form = h(
    'form',
    {
      id: 'signin',
      class: 'signin',
      onsubmit: async (event) => {
        event.preventDefault();
        const key = input.value.trim();
        try {
          const me = await api('GET', '/v1/me', undefined, key);
          sessionStorage.setItem(KEY_STORAGE, key);
          showIdentity(me);
          if (!location.hash || location.hash === '#/') location.hash = '#/bookings';
          else route();
        } catch (failure) {
          error.textContent = failure.status === 401 ? 'That API key is not valid.' : failure.message;
          error.className = 'error';
        }
      },
    },
    h('h1', {}, 'Sign in to the JobRelay console'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
    h('p', { class: 'muted' }, 'The key stays in this browser tab only (sessionStorage) and is sent to this site’s API alone.'),
  );
  main.replaceChildren(form);
}

function showIdentity(me) {
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('who').textContent = `${me.tenantName ?? me.tenantId} · ${me.keyName ? `${me.keyName} · ` : ''}${me.scopes.join(', ')}`;
}

// ---------------------------------------------------------------- bookings

function bookingRow(b) {
  return h(
    'tr',
    { 'data-booking': b.bookingId },
    h('td', {}, b.window ? b.window.date : '–'),
    h('td', {}, b.window ? `${b.window.start}–${b.window.end}` : '–'),
    h('td', {}, status(b.status)),
    h('td', {}, b.channel),
    h('td', {}, b.attribution?.source ?? h('span', { class: 'muted' }, '(no attribution)')),
    h('td', {}, b.attribution?.campaign ?? ''),
    h('td', {}, b.jobTypeId),
    h('td', {}, h('a', { href: `#/bookings/${encodeURIComponent(b.bookingId)}` }, b.bookingId)),
  );
}

const BOOKING_HEADERS = ['Date', 'Window', 'Status', 'Channel', 'Source', 'Campaign', 'Job type', 'Booking'];

/** An inline form whose fields become the page's query: `#/<page>?<field>=<value>...` (empty ones left out). */
function queryForm(page, attrs, ...children) {
  const onsubmit = (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(event.target)) if (value) query.set(name, String(value));
    location.hash = `#/${page}?${query}`;
  };
  return h('form', { class: 'inline', ...attrs, onsubmit }, ...children);
}

function pastBookingsForm(params) {
  return queryForm(
    'bookings',
    { id: 'past-form' },
    h('strong', {}, 'Booked between'),
    h('input', { type: 'date', name: 'from', value: params.get('from') ?? '', required: true }),
    h('span', {}, 'and'),
    h('input', { type: 'date', name: 'to', value: params.get('to') ?? '', required: true }),
    h('button', { type: 'submit', class: 'secondary' }, 'Search'),
  );
}

async function renderBookings(params) {
  if (params.get('from')) {
    // Past bookings: by the day they were made, in the company's time zone.
    const query = new URLSearchParams({ view: 'created', from: params.get('from'), to: params.get('to') || params.get('from'), limit: '500' });
    const past = await api('GET', `/v1/bookings?${query}`);
    main.replaceChildren(
      h('h1', {}, 'Bookings'),
      pastBookingsForm(params),
      h('h2', {}, `Booked ${past.from} to ${past.to} (${past.timeZone}): ${past.bookings.length}`),
      table(BOOKING_HEADERS, past.bookings.map(bookingRow), { id: 'bookings-past' }),
      h('p', {}, h('a', { href: '#/bookings' }, 'Back to today and upcoming')),
    );
    return;
  }
  const data = await api('GET', '/v1/bookings?view=upcoming');
  const today = data.bookings.filter((b) => b.window?.date === data.today);
  const later = data.bookings.filter((b) => b.window?.date !== data.today);
  main.replaceChildren(
    h('h1', {}, 'Bookings'),
    pastBookingsForm(params),
    h('h2', {}, `Today (${data.today}, ${data.timeZone})`),
    table(BOOKING_HEADERS, today.map(bookingRow), { id: 'bookings-today' }),
    h('h2', {}, 'Upcoming'),
    table(BOOKING_HEADERS, later.map(bookingRow), { id: 'bookings-upcoming' }),
  );
}

async function bookingDecision(bookingId, decision, reason) {
  if (decision === 'dismiss' && !reason) {
    flash('Write the reason for dismissing in the note box first.', 'error');
    return false;
  }
  try {
    await api('POST', `/v1/bookings/${encodeURIComponent(bookingId)}/${decision}`, decision === 'dismiss' ? { reason } : {});
    flash(`Booking ${bookingId}: ${decision === 'accept' ? 'accepted' : 'dismissed'}.`);
    return true;
  } catch (failure) {
    flash(`Could not ${decision} booking ${bookingId}: ${failure.message} (HTTP ${failure.status ?? '?'})`, 'error');
    return false;
  }
}

const detail = (value) => (value && Object.keys(value).length ? h('pre', {}, JSON.stringify(value, null, 1)) : '');

async function renderBooking(bookingId) {
  const a = await api('GET', `/v1/bookings/${encodeURIComponent(bookingId)}/activity`);
  const b = a.booking;
  const lifecycle = Object.entries(a.lifecycle ?? {}).filter(([, v]) => v !== undefined && v !== null);
  const reason = h('input', { id: 'dismiss-reason', placeholder: 'reason (to dismiss)', size: 26 });
  main.replaceChildren(
    h('h1', {}, `Booking ${b.bookingId}`),
    h(
      'p',
      {},
      status(b.status),
      ' ',
      b.statusReason ? h('span', { class: 'muted' }, `(${b.statusReason}) `) : '',
      `${b.jobTypeId} · ${b.channel} · source ${b.attribution?.source ?? '(no attribution)'}`,
      b.window ? ` · ${b.window.date} ${b.window.start}–${b.window.end}${b.window.technicianId ? ` · ${b.window.technicianId}` : ''}` : '',
    ),
    b.status !== 'pending_approval'
      ? ''
      : h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', id: 'accept-booking', onclick: async () => (await bookingDecision(b.bookingId, 'accept')) && route() }, 'Accept'),
          reason,
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              id: 'dismiss-booking',
              onclick: async () => (await bookingDecision(b.bookingId, 'dismiss', reason.value.trim())) && route(),
            },
            'Dismiss',
          ),
        ),
    lifecycle.length ? h('p', { class: 'muted' }, lifecycle.map(([k, v]) => `${k}: ${k.endsWith('Cents') ? money(v) : v}`).join(' · ')) : '',
    h('h2', {}, 'Workflow'),
    table(
      ['At', 'Node', 'Outcome', 'Detail'],
      a.timeline.map((t) => h('tr', {}, h('td', {}, when(t.at)), h('td', {}, t.node), h('td', {}, status(t.outcome)), h('td', {}, detail(t.detail)))),
      { id: 'timeline' },
    ),
    h('h2', {}, 'Messages'),
    table(
      ['Kind', 'Channel', 'Status', 'Due', 'Sent', 'To', 'Text'],
      a.messages.map((m) =>
        h(
          'tr',
          {},
          h('td', {}, m.kind),
          h('td', {}, m.channel),
          h('td', {}, status(m.status)),
          h('td', {}, when(m.dueAt)),
          h('td', {}, when(m.sentAt)),
          h('td', {}, m.to ?? ''),
          h('td', {}, m.text ?? ''),
        ),
      ),
      { id: 'messages' },
    ),
    h('h2', {}, 'CRM writes'),
    table(
      ['Kind', 'Adapter', 'At', 'Detail'],
      a.crmWrites.map((c) => {
        const { kind, adapter, at, ...rest } = c;
        return h('tr', {}, h('td', {}, kind), h('td', {}, adapter ?? ''), h('td', {}, when(at ?? rest.writtenAt)), h('td', {}, detail(rest)));
      }),
      { id: 'crm-writes' },
    ),
    h('h2', {}, 'Open review items'),
    table(
      ['Kind', 'Reason', 'Opened'],
      a.reviewItems.map((r) => h('tr', {}, h('td', {}, r.kind), h('td', {}, r.reason), h('td', {}, when(r.createdAt)))),
      { id: 'booking-review' },
    ),
  );
}

// ---------------------------------------------------------------- review queue

const REVIEW_KINDS = [
  'crm_write_failed',
  'suspected_duplicate',
  'missing_attribution',
  'pending_approval',
  'stale_capacity',
  'out_of_scope',
  'notification_failed',
  'workflow_failed',
  'needs_triage',
];

function reviewFilters(params) {
  const kind = h(
    'select',
    { name: 'kind' },
    h('option', { value: '' }, 'any kind'),
    REVIEW_KINDS.map((k) => h('option', { value: k, selected: params.get('kind') === k }, k)),
  );
  const state = h(
    'select',
    { name: 'status' },
    ['open', 'resolved', ''].map((s) => h('option', { value: s, selected: (params.get('status') ?? 'open') === s }, s || 'any status')),
  );
  const older = h('input', { name: 'olderThan', placeholder: 'older than, e.g. 4h', size: 14, value: params.get('olderThan') ?? '' });
  return h(
    'form',
    {
      class: 'inline',
      id: 'review-filters',
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        for (const [name, value] of new FormData(event.target)) if (value) next.set(name, String(value));
        if (!next.has('status')) next.set('status', '');
        location.hash = `#/review?${next}`;
      },
    },
    kind,
    state,
    older,
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'),
  );
}

function reviewRow(item) {
  const note = h('input', { name: 'note', placeholder: 'note / reason', size: 22 });
  const isBooking = item.subject.type === 'booking';
  const awaitsDecision = isBooking && item.kind === 'pending_approval';
  const open = item.status === 'open';
  const act = (label, fn, cls) => h('button', { type: 'button', class: cls, 'data-action': label.toLowerCase(), onclick: fn }, label);
  return h(
    'tr',
    { 'data-review-item': item.reviewItemId, 'data-kind': item.kind },
    h('td', {}, item.kind),
    h('td', {}, item.reason, item.payload ? h('details', {}, h('summary', {}, 'payload'), detail(item.payload)) : ''),
    h(
      'td',
      {},
      isBooking
        ? h('a', { href: `#/bookings/${encodeURIComponent(item.subject.id)}` }, `booking ${item.subject.id}`)
        : `${item.subject.type} ${item.subject.id}`,
    ),
    h('td', {}, age(item.createdAt)),
    h(
      'td',
      {},
      status(item.status),
      item.resolvedBy ? h('div', { class: 'muted' }, `${item.resolvedBy}: ${item.resolutionNote ?? ''}`) : '',
      item.redrives?.length ? h('div', { class: 'muted' }, `redriven ${item.redrives.length}×`) : '',
    ),
    h(
      'td',
      {},
      open
        ? h(
            'div',
            { class: 'actions' },
            note,
            act('Resolve', async () => {
              if (!note.value.trim()) return flash('Write a note saying what was done, then resolve.', 'error');
              try {
                await api('POST', `/v1/review-items/${item.reviewItemId}/resolve`, { note: note.value.trim() });
                flash(`Resolved ${item.kind} item ${item.reviewItemId}.`);
                route();
              } catch (failure) {
                flash(`Could not resolve: ${failure.message}`, 'error');
              }
            }),
            act(
              'Redrive',
              async () => {
                try {
                  const result = await api('POST', `/v1/review-items/${item.reviewItemId}/redrive`, {});
                  const how =
                    result.redrive.type === 'dlq'
                      ? `moved the ${result.redrive.queue} dead-letter queue back (${result.redrive.messages} messages)`
                      : `sent the message to ${result.redrive.queue} again`;
                  flash(`Redrive started: ${how}. The item closes when the worker succeeds.`);
                  route();
                } catch (failure) {
                  flash(`Could not redrive: ${failure.message}`, 'error');
                }
              },
              'secondary',
            ),
            awaitsDecision ? act('Accept', async () => (await bookingDecision(item.subject.id, 'accept')) && route(), 'secondary') : '',
            awaitsDecision ? act('Dismiss', async () => (await bookingDecision(item.subject.id, 'dismiss', note.value.trim())) && route(), 'danger') : '',
          )
        : '',
    ),
  );
}

async function renderReview(params) {
  const query = new URLSearchParams();
  for (const name of ['kind', 'olderThan']) if (params.get(name)) query.set(name, params.get(name));
  const state = params.has('status') ? params.get('status') : 'open';
  if (state) query.set('status', state);
  query.set('limit', '200');
  const data = await api('GET', `/v1/review-items?${query}`);
  main.replaceChildren(
    h('h1', {}, 'Review queue'),
    reviewFilters(params),
    table(['Kind', 'Reason', 'Subject', 'Age', 'Status', 'Actions'], data.items.map(reviewRow), { id: 'review-items' }),
  );
}

// ---------------------------------------------------------------- queues

async function renderQueues() {
  const data = await api('GET', '/v1/ops/queues');
  main.replaceChildren(
    h('h1', {}, 'Queues'),
    h(
      'p',
      { class: 'muted' },
      'Messages waiting in each work queue and its dead-letter queue (DLQ). A DLQ holds what failed 5 times; redrive moves it back (StartMessageMoveTask).',
    ),
    table(
      ['Queue', { label: 'Waiting', num: true }, { label: 'In flight', num: true }, { label: 'DLQ depth', num: true }, 'Last DLQ redrive', ''],
      data.queues.map((q) =>
        h(
          'tr',
          { 'data-queue': q.queue },
          h('td', {}, q.queue),
          h('td', { class: 'num' }, q.visible),
          h('td', { class: 'num' }, q.inFlight),
          h('td', { class: 'num dlq-depth' }, q.deadLetter.visible + q.deadLetter.inFlight),
          h(
            'td',
            {},
            q.lastRedrive
              ? h('span', {}, status(q.lastRedrive.status), ` ${q.lastRedrive.moved} moved ${when(q.lastRedrive.startedAt)}`)
              : h('span', { class: 'muted' }, 'never'),
          ),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                disabled: q.deadLetter.visible === 0,
                onclick: async () => {
                  try {
                    const result = await api('POST', `/v1/ops/queues/${q.queue}/redrive`, {});
                    flash(`Started moving ${result.messages} messages from the ${q.queue} DLQ back to its queue.`);
                    route();
                  } catch (failure) {
                    flash(`Could not redrive ${q.queue}: ${failure.message}`, 'error');
                  }
                },
              },
              'Start DLQ redrive',
            ),
          ),
        ),
      ),
      { id: 'queues' },
    ),
  );
}

// ---------------------------------------------------------------- reports

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = String(text);
  return el;
}

/** A horizontal bar chart in plain SVG: a charting library would be the console's only dependency. */
function barChart(title, rows, value, format, cls) {
  const width = 520;
  const rowHeight = 26;
  const labelWidth = 170;
  const max = Math.max(1, ...rows.map(value));
  const svg = s('svg', { viewBox: `0 0 ${width} ${rows.length * rowHeight + 10}`, role: 'img', 'aria-label': title });
  rows.forEach((row, i) => {
    const y = i * rowHeight + 5;
    const barWidth = ((width - labelWidth - 90) * value(row)) / max;
    svg.append(
      s('text', { x: 0, y: y + 15 }, row.group.length > 26 ? `${row.group.slice(0, 25)}…` : row.group),
      s('rect', { x: labelWidth, y, width: Math.max(barWidth, value(row) > 0 ? 2 : 0), height: rowHeight - 8, class: cls }),
      s('text', { x: labelWidth + barWidth + 6, y: y + 15 }, format(value(row))),
    );
  });
  return h('figure', { class: 'chart' }, h('figcaption', {}, title), svg);
}

async function downloadCsv(query) {
  const response = await fetch(`/v1/reports/attribution?${query}&format=csv`, { headers: { authorization: `Bearer ${apiKey()}` } });
  if (!response.ok) return flash(`CSV export failed: HTTP ${response.status}`, 'error');
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: `attribution-${query.get('groupBy')}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function renderReports(params) {
  const query = new URLSearchParams();
  query.set('groupBy', params.get('groupBy') ?? 'source');
  for (const name of ['from', 'to']) if (params.get(name)) query.set(name, params.get(name));
  const report = await api('GET', `/v1/reports/attribution?${query}`);
  const form = h(
    'form',
    {
      class: 'inline',
      id: 'report-form',
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        for (const [name, value] of new FormData(event.target)) if (value) next.set(name, String(value));
        location.hash = `#/reports?${next}`;
      },
    },
    h(
      'label',
      {},
      'Group by ',
      h(
        'select',
        { name: 'groupBy' },
        ['source', 'campaign', 'channel'].map((g) => h('option', { value: g, selected: report.groupBy === g }, g)),
      ),
    ),
    h('label', {}, 'From ', h('input', { type: 'date', name: 'from', value: report.from })),
    h('label', {}, 'To ', h('input', { type: 'date', name: 'to', value: report.to })),
    h('button', { type: 'submit' }, 'Show'),
    h('button', { type: 'button', class: 'secondary', id: 'download-csv', onclick: () => downloadCsv(query) }, 'Download CSV'),
  );
  const rows = [...report.rows, report.totals];
  main.replaceChildren(
    h('h1', {}, 'Bookings and paid revenue'),
    form,
    h(
      'p',
      { class: 'muted' },
      `${report.from} to ${report.to} (${report.timeZone}), by ${report.groupBy}. Paid revenue is what the job lifecycle recorded as paid; nothing is estimated.`,
    ),
    h(
      'div',
      { class: 'charts', id: 'report-charts' },
      barChart(
        'Bookings',
        report.rows,
        (r) => r.bookings,
        (v) => v,
        'bar-bookings',
      ),
      barChart('Paid revenue', report.rows, (r) => r.paidRevenueCents, money, 'bar-paid'),
    ),
    h('h2', {}, 'Closed loop'),
    table(
      [
        report.groupBy,
        { label: 'Bookings', num: true },
        { label: 'Accepted', num: true },
        { label: 'Completed', num: true },
        { label: 'Invoiced', num: true },
        { label: 'Paid', num: true },
        { label: 'Paid revenue', num: true },
        { label: 'Booked → accepted', num: true },
        { label: 'Booked → paid', num: true },
      ],
      rows.map((r) =>
        h(
          'tr',
          { 'data-group': r.group },
          h('td', {}, r.group),
          h('td', { class: 'num' }, r.bookings),
          h('td', { class: 'num' }, r.accepted),
          h('td', { class: 'num' }, r.completed),
          h('td', { class: 'num' }, r.invoiced),
          h('td', { class: 'num' }, r.paid),
          h('td', { class: 'num' }, money(r.paidRevenueCents)),
          h('td', { class: 'num' }, pct(r.conversion.bookedToAccepted)),
          h('td', { class: 'num' }, pct(r.conversion.bookedToPaid)),
        ),
      ),
      { id: 'report-table' },
    ),
  );
}

// ---------------------------------------------------------------- API keys

// The scopes a new key may get come from the API (GET /v1/me: at most this key's own, each with what it
// is for), so the form cannot offer a scope the API would refuse or miss one it adds.

function showSecret(title, secret) {
  flashBox.replaceChildren(
    h(
      'div',
      { class: 'msg' },
      h('strong', {}, title),
      h('div', { class: 'secret', id: 'new-secret' }, secret),
      'Copy it now: it is shown this once and stored only as a hash.',
    ),
  );
}

async function renderKeys() {
  const [data, me] = await Promise.all([api('GET', '/v1/keys'), api('GET', '/v1/me')]);
  const name = h('input', { name: 'name', placeholder: 'key name, e.g. Voice agent', required: true, size: 26 });
  const boxes = me.grantableScopes.map(({ scope, purpose }) =>
    h('label', { title: purpose }, h('input', { type: 'checkbox', name: 'scope', value: scope, checked: scope === 'bookings' }), ` ${scope}`),
  );
  const form = h(
    'form',
    {
      class: 'inline',
      id: 'new-key',
      onsubmit: async (event) => {
        event.preventDefault();
        const scopes = [...event.target.querySelectorAll('input[name=scope]:checked')].map((box) => box.value);
        try {
          const issued = await api('POST', '/v1/keys', { name: name.value.trim(), scopes });
          await renderKeys();
          showSecret(`New key “${issued.key.name}”:`, issued.apiKey);
        } catch (failure) {
          flash(`Could not create the key: ${failure.message}`, 'error');
        }
      },
    },
    name,
    boxes,
    h('button', { type: 'submit' }, 'Create key'),
  );
  main.replaceChildren(
    h('h1', {}, 'API keys'),
    h(
      'p',
      { class: 'muted' },
      'Secrets are shown once, when a key is created or rotated, and stored only as a hash. Keys issued outside this list (the demo key `npm start` prints) still work but are not listed here.',
    ),
    form,
    table(
      ['Name', 'Key', 'Scopes', 'Created', 'State', ''],
      data.keys.map((k) =>
        h(
          'tr',
          { 'data-key': k.keyId },
          h('td', {}, k.name),
          h('td', {}, h('code', {}, k.hint)),
          h('td', {}, k.scopes.join(', ')),
          h('td', {}, when(k.createdAt), k.rotatedAt ? h('div', { class: 'muted' }, `rotated ${when(k.rotatedAt)}`) : ''),
          h('td', {}, k.revoked ? status('revoked') : status('active')),
          h(
            'td',
            { class: 'actions' },
            k.revoked
              ? ''
              : [
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      'data-action': 'rotate',
                      onclick: async () => {
                        try {
                          const rotated = await api('POST', `/v1/keys/${k.keyId}/rotate`, {});
                          await renderKeys();
                          showSecret(`New secret for “${k.name}” (the old one no longer works):`, rotated.apiKey);
                        } catch (failure) {
                          flash(`Could not rotate: ${failure.message}`, 'error');
                        }
                      },
                    },
                    'Rotate',
                  ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      'data-action': 'revoke',
                      onclick: async () => {
                        try {
                          await api('POST', `/v1/keys/${k.keyId}/revoke`, {});
                          flash(`Revoked “${k.name}”.`);
                          await renderKeys();
                        } catch (failure) {
                          flash(`Could not revoke: ${failure.message}`, 'error');
                        }
                      },
                    },
                    'Revoke',
                  ),
                ],
          ),
        ),
      ),
      { id: 'keys' },
    ),
  );
}

// ---------------------------------------------------------------- dispatch

const localToday = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};

function dispatchBoard(board) {
  const cell = (tech, window) =>
    h(
      'td',
      {},
      tech.jobs
        .filter((job) => job.windowStarts.includes(window.start))
        .map((job) =>
          h(
            'div',
            { class: 'job', 'data-booking': job.bookingId },
            h('a', { href: `#/bookings/${encodeURIComponent(job.bookingId)}` }, job.jobTypeName ?? job.jobTypeId),
            ` ${job.postalCode} `,
            status(job.jobState ?? job.status),
          ),
        ),
    );
  return table(
    ['Technician', ...board.windows.map((w) => `${w.start}–${w.end}`)],
    board.technicians.map((tech) =>
      h(
        'tr',
        { 'data-technician': tech.technicianId },
        h('td', {}, tech.name),
        board.windows.map((w) => cell(tech, w)),
      ),
    ),
    { id: 'board' },
  );
}

function suggestionRow(suggestion, date, names) {
  const r = suggestion.reason;
  const who = (id) => names.get(id) ?? id ?? '?';
  const move = (from, to) =>
    `${who(from.technicianId)} ${from.start} → ${who(to.technicianId ?? from.technicianId)} ${to.date === from.date ? '' : to.date} ${to.start}`;
  return h(
    'tr',
    { 'data-suggestion': suggestion.suggestionId, 'data-kind': suggestion.kind },
    h('td', {}, suggestion.kind),
    h('td', {}, `${who(r.technicianId)} ${r.cause === 'running_long' ? 'running long' : 'arriving late'} by ${r.lateMinutes} min`),
    h(
      'td',
      {},
      h('a', { href: `#/bookings/${encodeURIComponent(suggestion.bookingId)}` }, suggestion.bookingId),
      ` ${move(suggestion.from, suggestion.to)}`,
      suggestion.swapWith
        ? h(
            'div',
            {},
            'and ',
            h('a', { href: `#/bookings/${encodeURIComponent(suggestion.swapWith.bookingId)}` }, suggestion.swapWith.bookingId),
            ` ${move(suggestion.swapWith.from, suggestion.swapWith.to)}`,
          )
        : null,
    ),
    h(
      'td',
      {},
      h('div', { class: 'message' }, suggestion.customerMessage),
      suggestion.swapWith ? h('div', { class: 'message' }, suggestion.swapWith.customerMessage) : null,
    ),
    h(
      'td',
      {},
      h(
        'button',
        {
          type: 'button',
          'data-action': 'accept-suggestion',
          onclick: async () => {
            try {
              await api('POST', `/v1/dispatch/suggestions/${encodeURIComponent(suggestion.suggestionId)}/accept`, {});
              flash(`Applied: ${suggestion.kind} for ${suggestion.bookingId}. The customer and both technicians are being told.`);
              await renderDispatch(new URLSearchParams({ date }));
            } catch (failure) {
              flash(`Could not apply it: ${failure.message}`, 'error');
            }
          },
        },
        'Accept',
      ),
    ),
  );
}

function planSection(date) {
  const box = h('section', { id: 'plan' });
  const run = async () => {
    box.replaceChildren(h('p', { class: 'muted' }, 'Planning…'));
    try {
      const plan = await api('POST', `/v1/dispatch/plan?date=${encodeURIComponent(date)}`);
      const row = (label, m) =>
        h(
          'tr',
          { 'data-row': label },
          h('td', {}, label),
          h('td', { class: 'num' }, m.served),
          h('td', { class: 'num' }, m.jobsPerTruck),
          h('td', { class: 'num' }, m.driveMinutes),
          h('td', { class: 'num' }, m.longHops),
        );
      box.replaceChildren(
        table(
          [
            '',
            { label: 'Jobs served', num: true },
            { label: 'Jobs per truck', num: true },
            { label: 'Drive minutes', num: true },
            { label: 'Long hops', num: true },
          ],
          [row('Now', plan.current.metrics), row('First come, first served', plan.firstComeFirstServed.metrics), row('Plan', plan.plan.metrics)],
          { id: 'plan-metrics' },
        ),
        h(
          'p',
          { class: 'muted' },
          `HiGHS ${plan.solver.status}, gap ${pct(plan.solver.gap)}, ${plan.solver.seconds} s. ${plan.changes.length} job(s) change technician.`,
        ),
        h(
          'button',
          {
            type: 'button',
            'data-action': 'apply-plan',
            disabled: plan.changes.length === 0,
            onclick: async () => {
              try {
                const result = await api('POST', '/v1/dispatch/reassign', {
                  date,
                  reason: 'Day plan',
                  assignments: plan.changes.map((c) => ({ jobId: c.to.jobId, technicianId: c.to.technicianId, start: c.to.start })),
                });
                flash(
                  `Plan applied: ${result.applied.length} job(s) reassigned${result.failed.length ? `, ${result.failed.length} could not be (${result.failed.map((f) => f.reason).join('; ')})` : ''}. Drive minutes now ${result.current.metrics.driveMinutes}.`,
                  result.failed.length ? 'error' : 'ok',
                );
                await renderDispatch(new URLSearchParams({ date }));
              } catch (failure) {
                flash(`Could not apply the plan: ${failure.message}`, 'error');
              }
            },
          },
          'Apply the plan’s technician changes',
        ),
      );
    } catch (failure) {
      box.replaceChildren(h('p', { class: 'error' }, `Could not plan: ${failure.message}`));
    }
  };
  box.append(h('button', { type: 'button', class: 'secondary', 'data-action': 'plan', onclick: run }, 'Plan the day'));
  return box;
}

async function renderDispatch(params) {
  const date = params.get('date') || localToday();
  const [board, suggestions] = await Promise.all([
    api('GET', `/v1/dispatch/board?date=${encodeURIComponent(date)}`),
    api('GET', `/v1/dispatch/suggestions?date=${encodeURIComponent(date)}`),
  ]);
  main.replaceChildren(
    h('h1', {}, 'Dispatch'),
    queryForm(
      'dispatch',
      { id: 'dispatch-date' },
      h('label', {}, 'Date ', h('input', { type: 'date', name: 'date', value: date })),
      h('button', { type: 'submit', class: 'secondary' }, 'Show'),
    ),
    dispatchBoard(board),
    h('h2', {}, 'Suggestions'),
    h(
      'p',
      { class: 'muted' },
      'When a technician reports a late ETA or a job running long, their next job gets options: move it, swap it, or reschedule it. Accepting goes through the same slot claims and messages as any booking change; the message shown is the one the customer gets.',
    ),
    table(
      ['Kind', 'Why', 'Change', 'Customer message', ''],
      suggestions.suggestions.map((x) => suggestionRow(x, date, new Map(board.technicians.map((t) => [t.technicianId, t.name])))),
      { id: 'suggestions' },
    ),
    h('h2', {}, 'Day plan'),
    planSection(date),
  );
}

// ---------------------------------------------------------------- settings

/**
 * Configuration as the API takes it: each record in a JSON editor, saved with PUT and checked by
 * the same zod schema as any API call (a refusal names the field). Admin scope.
 */
function jsonEditor(id, value, save) {
  const area = h('textarea', { id, rows: 14, cols: 100, spellcheck: 'false' });
  area.value = JSON.stringify(value, null, 2);
  const saveButton = h(
    'button',
    {
      type: 'button',
      'data-action': 'save',
      onclick: async () => {
        let parsed;
        try {
          parsed = JSON.parse(area.value);
        } catch (error) {
          flash(`Not valid JSON: ${error.message}`, 'error');
          return;
        }
        try {
          await save(parsed);
        } catch (failure) {
          flash(`Not saved: ${failure.message}`, 'error');
        }
      },
    },
    'Save',
  );
  return h('div', { class: 'editor' }, area, h('div', { class: 'actions' }, saveButton));
}

const TECHNICIAN_TEMPLATE = {
  technicianId: 'tech-new',
  name: '',
  phone: '+15125550000',
  trades: ['plumbing'],
  skills: [],
  postalCodes: [],
  shifts: { mon: { start: '08:00', end: '17:00' } },
  active: true,
};
const JOB_TYPE_TEMPLATE = { jobTypeId: 'new-job-type', name: '', trade: 'plumbing', requiredSkills: [], durationWindows: 1, emergency: false };

async function renderSettings(params) {
  const [company, technicians, jobTypes] = await Promise.all([
    api('GET', '/v1/config/company'),
    api('GET', '/v1/config/technicians'),
    api('GET', '/v1/config/job-types'),
  ]);
  const editing = params.get('edit');
  const [kind, id] = editing ? editing.split(':') : [];
  const strip = ({ tenantId: _t, ...rest }) => rest;
  const picked =
    kind === 'technician'
      ? (technicians.items.find((t) => t.technicianId === id) ?? { ...TECHNICIAN_TEMPLATE })
      : kind === 'job-type'
        ? (jobTypes.items.find((j) => j.jobTypeId === id) ?? { ...JOB_TYPE_TEMPLATE })
        : undefined;
  const saveRecord = async (value) => {
    const path =
      kind === 'technician'
        ? `/v1/config/technicians/${encodeURIComponent(value.technicianId)}`
        : `/v1/config/job-types/${encodeURIComponent(value.jobTypeId)}`;
    await api('PUT', path, value);
    // Back to the lists without a hashchange (which would clear the message).
    history.pushState(null, '', '#/settings');
    await renderSettings(new URLSearchParams());
    flash(`Saved ${kind} ${value.technicianId ?? value.jobTypeId}.`);
  };
  main.replaceChildren(
    h('h1', {}, 'Settings'),
    // (replaceChildren would print a null: spread the optional editor in instead)
    ...(picked
      ? [
          h(
            'section',
            { id: 'record-editor' },
            h('h2', {}, `${kind === 'technician' ? 'Technician' : 'Job type'} ${id === 'new' ? '(new)' : id}`),
            jsonEditor('record-json', strip(picked), saveRecord),
            h('p', {}, h('a', { href: '#/settings' }, 'Cancel')),
          ),
        ]
      : []),
    h('h2', {}, 'Technicians'),
    table(
      ['Name', 'Trades', 'Skills', 'Postal codes', 'Active', ''],
      technicians.items.map((t) =>
        h(
          'tr',
          { 'data-technician': t.technicianId },
          h('td', {}, t.name),
          h('td', {}, t.trades.join(', ')),
          h('td', {}, t.skills.join(', ')),
          h('td', {}, t.postalCodes.join(' ')),
          h('td', {}, t.active ? 'yes' : 'no'),
          h('td', {}, h('a', { href: `#/settings?edit=technician:${encodeURIComponent(t.technicianId)}`, 'data-action': 'edit' }, 'Edit')),
        ),
      ),
      { id: 'technicians' },
    ),
    h('p', {}, h('a', { href: '#/settings?edit=technician:new' }, 'Add a technician')),
    h('h2', {}, 'Job types'),
    table(
      ['Name', 'Trade', 'Skills', { label: 'Windows', num: true }, 'Emergency', ''],
      jobTypes.items.map((j) =>
        h(
          'tr',
          { 'data-job-type': j.jobTypeId },
          h('td', {}, j.name),
          h('td', {}, j.trade),
          h('td', {}, j.requiredSkills.join(', ')),
          h('td', { class: 'num' }, j.durationWindows),
          h('td', {}, j.emergency ? 'yes' : 'no'),
          h('td', {}, h('a', { href: `#/settings?edit=job-type:${encodeURIComponent(j.jobTypeId)}`, 'data-action': 'edit' }, 'Edit')),
        ),
      ),
      { id: 'job-types' },
    ),
    h('p', {}, h('a', { href: '#/settings?edit=job-type:new' }, 'Add a job type')),
    h('h2', {}, 'Company'),
    h(
      'p',
      { class: 'muted' },
      'Arrival windows, time zone, hold minutes, daily limits, emergency reserve, on-call rotation, messaging, triage rules, per-source settings.',
    ),
    h(
      'section',
      { id: 'company-editor' },
      jsonEditor('company-json', strip(company), async (value) => {
        await api('PUT', '/v1/config/company', value);
        await renderSettings(new URLSearchParams());
        flash('Saved the company settings.');
      }),
    ),
  );
}

// ---------------------------------------------------------------- routing

const pages = [
  [/^#\/bookings\/([^/?]+)$/, (m) => renderBooking(decodeURIComponent(m[1]))],
  [/^#\/bookings$/, (_, params) => renderBookings(params)],
  [/^#\/review$/, (_, params) => renderReview(params)],
  [/^#\/dispatch$/, (_, params) => renderDispatch(params)],
  [/^#\/queues$/, () => renderQueues()],
  [/^#\/reports$/, (_, params) => renderReports(params)],
  [/^#\/keys$/, () => renderKeys()],
  [/^#\/settings$/, (_, params) => renderSettings(params)],
];

async function route() {
  if (!apiKey()) return renderSignIn();
  const [path, search = ''] = (location.hash || '#/bookings').split('?');
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', path.startsWith(link.getAttribute('href')));
  const page = pages.find(([pattern]) => pattern.test(path));
  if (!page) {
    location.hash = '#/bookings';
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    await page[1](page[0].exec(path), new URLSearchParams(search));
  } catch (failure) {
    if (apiKey()) main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'error', id: 'page-error' }, failure.message));
  } finally {
    main.setAttribute('aria-busy', 'false');
    main.dataset.page = path.slice(2).split('/')[0];
  }
}

document.getElementById('signout').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', () => {
  flashBox.replaceChildren();
  route();
});

(async () => {
  if (apiKey()) {
    try {
      showIdentity(await api('GET', '/v1/me'));
    } catch {
      return;
    }
  }
  route();
})();
