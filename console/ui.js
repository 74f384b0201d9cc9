// Building the page: elements from values (always as text, never as HTML), tables, the message box,
// and the small formatters every page shares.

export const main = document.getElementById('main');
export const flashBox = document.getElementById('flash');

/** Builds an element: h('td', {class: 'num'}, 'text', childNode). */
export function h(tag, attrs = {}, ...children) {
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

export function flash(message, kind = 'ok') {
  flashBox.replaceChildren(h('p', { class: `msg ${kind === 'error' ? 'error' : ''}`, 'data-kind': kind }, message));
}

export const status = (value) => h('span', { class: `status ${value}` }, value);
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
export const money = (cents) => `$${(cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const pct = (rate) => (rate === null || rate === undefined ? '–' : `${Math.round(rate * 1000) / 10}%`);
export const detail = (value) => (value && Object.keys(value).length ? h('pre', {}, JSON.stringify(value, null, 1)) : '');

/** An instant as people read it in the company's zone: "Mon, Nov 30, 8:05 AM". */
export function whenIn(iso, timeZone) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const options = { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone };
  return new Intl.DateTimeFormat('en-US', options).format(date).replace(/\u202f/g, ' ');
}

/** A booked window as people read it: "Mon, Nov 30, 8-10 AM" (the window's date and times are the company's). */
export function windowText(window) {
  if (!window?.date) return '';
  const [y, m, d] = window.date.split('-').map(Number);
  const day = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
  const clock = (hhmm) => {
    const [hh, mm] = hhmm.split(':').map(Number);
    return { text: `${hh % 12 || 12}${mm ? `:${String(mm).padStart(2, '0')}` : ''}`, half: hh < 12 ? 'AM' : 'PM' };
  };
  if (!window.start) return day;
  const from = clock(window.start);
  if (!window.end) return `${day}, ${from.text} ${from.half}`;
  const to = clock(window.end);
  return `${day}, ${from.half === to.half ? from.text : `${from.text} ${from.half}`}-${to.text} ${to.half}`;
}

/** The raw value behind a toggle: what the API said, for whoever needs it. */
export const rawJson = (value, label = 'raw') =>
  value === undefined || value === null ? '' : h('details', { class: 'raw' }, h('summary', {}, label), h('pre', {}, JSON.stringify(value, null, 1)));

/** snake_case and camelCase as words: "reminder_48h" -> "reminder 48h". */
export const words = (text) =>
  String(text ?? '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();

export function age(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

export function table(headers, rows, attrs = {}) {
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

/** An inline form whose fields become the page's query: `#/<page>?<field>=<value>...` (empty ones left out). */
export function queryForm(page, attrs, ...children) {
  const onsubmit = (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(event.target)) if (value) query.set(name, String(value));
    location.hash = `#/${page}?${query}`;
  };
  return h('form', { class: 'inline', ...attrs, onsubmit }, ...children);
}
