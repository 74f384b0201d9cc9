// Bookings: today and upcoming, past ones by the day they were made, one booking's whole story.

import { api } from './api.js';
import { route } from './nav.js';
import { detail, flash, h, main, money, queryForm, status, table, when } from './ui.js';

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

export async function renderBookings(params) {
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

export async function bookingDecision(bookingId, decision, reason) {
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

export async function renderBooking(bookingId) {
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
