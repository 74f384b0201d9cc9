// Reports: bookings to paid revenue by source, campaign or channel (the groupings as
// /v1/openapi.json publishes them), charted in plain SVG, tabulated, exported as CSV.

import { api, apiKey } from './api.js';
import { queryEnum } from './enums.js';
import { flash, h, main, money, pct, table } from './ui.js';

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

export async function renderReports(params) {
  const query = new URLSearchParams();
  query.set('groupBy', params.get('groupBy') ?? 'source');
  for (const name of ['from', 'to']) if (params.get(name)) query.set(name, params.get(name));
  const [report, groupings] = await Promise.all([api('GET', `/v1/reports/attribution?${query}`), queryEnum('GET', '/v1/reports/attribution', 'groupBy')]);
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
        groupings.map((g) => h('option', { value: g, selected: report.groupBy === g }, g)),
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
