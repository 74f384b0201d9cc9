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
