// Bookings: today and upcoming, past ones by the day they were made, one booking's whole story.

import { api } from './api.js';
import { route } from './nav.js';
import { flash, h, main, money, queryForm, rawJson, status, table, whenIn, windowText, words } from './ui.js';

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

/** The lifecycle facts as sentences: money as money, times in the company's zone. */
function lifecycleLine(lifecycle, zone) {
  const l = lifecycle ?? {};
  return [
    l.acceptedAt && `Accepted ${whenIn(l.acceptedAt, zone)}`,
    l.completedAt && `Completed ${whenIn(l.completedAt, zone)}`,
    l.invoicedAmountCents !== undefined &&
      l.invoicedAmountCents !== null &&
      `Invoiced ${money(l.invoicedAmountCents)}${l.invoicedAt ? ` on ${whenIn(l.invoicedAt, zone)}` : ''}`,
    l.paidAmountCents !== undefined && l.paidAmountCents !== null && `Paid ${money(l.paidAmountCents)}${l.paidAt ? ` on ${whenIn(l.paidAt, zone)}` : ''}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Requests that repeated this booking's need (one job per need): answered with this booking, nothing new booked. */
function repeatRequests(timeline, zone) {
  const repeats = timeline.filter((t) => t.node === 'DuplicateCheck' && t.outcome === 'repeat_request');
  if (!repeats.length) return '';
  return h(
    'p',
    { id: 'repeat-requests' },
    `Repeat request${repeats.length > 1 ? 's' : ''} of this booking (answered with it, nothing new booked): `,
    repeats.map((t) => `${whenIn(t.at, zone)} by ${words(t.detail?.channel ?? 'unknown')}`).join(', '),
  );
}

/**
 * A member's plan and the visits used of those it includes ("Comfort Club: 1 of 2 included visits
 * used"), or nothing for everyone else (and for a key that may not read memberships).
 */
async function membershipLine(customerId) {
  if (!customerId) return '';
  let memberships;
  try {
    memberships = (await api('GET', `/v1/customers/${encodeURIComponent(customerId)}/memberships`)).items ?? [];
  } catch {
    return '';
  }
  const current = memberships.filter((m) => m.status === 'active' || m.status === 'past_due');
  if (!current.length) return '';
  return h(
    'p',
    { id: 'membership' },
    'Member: ',
    current
      .map(
        (m) =>
          `${m.plan}: ${m.includedVisits !== undefined ? `${m.visitsUsed} of ${m.includedVisits} included visits used` : `${m.visitsUsed} visits used`}${m.status === 'past_due' ? ' (payment past due)' : ''}`,
      )
      .join('; '),
  );
}

export async function renderBooking(bookingId) {
  const a = await api('GET', `/v1/bookings/${encodeURIComponent(bookingId)}/activity`);
  const b = a.booking;
  const membership = await membershipLine(b.customerId);
  const names = a.names ?? { company: {}, customer: {}, jobType: {}, technicians: {} };
  const zone = names.company.timeZone;
  const techName = (id) => (id ? (names.technicians?.[id] ?? id) : '');
  const customer = names.customer?.name ?? 'the customer';
  const jobType = names.jobType?.name ?? b.jobTypeId;
  const lifecycle = lifecycleLine(a.lifecycle, zone);
  const reason = h('input', { id: 'dismiss-reason', placeholder: 'reason (to dismiss)', size: 26 });
  main.replaceChildren(
    h('h1', {}, `${jobType} for ${customer}`),
    h(
      'p',
      { id: 'booking-summary' },
      status(b.status),
      ' ',
      b.statusReason ? h('span', { class: 'muted' }, `(${words(b.statusReason)}) `) : '',
      b.window ? `${windowText(b.window)}${b.window.technicianId ? ` with ${techName(b.window.technicianId)}` : ''} · ` : 'No time booked yet · ',
      `by ${words(b.channel)} · source ${b.attribution?.source ?? '(no attribution)'}`,
      names.customer?.phone ? ` · ${names.customer.phone}` : '',
      h('span', { class: 'muted' }, ` · booking ${b.bookingId} · times in ${zone}`),
    ),
    membership,
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
    // A change whose run did not finish what it owes: said plainly, with when it will be done.
    ...(a.owed ?? []).map((o) =>
      h(
        'p',
        { class: 'owed' },
        `Not done yet after the ${o.name} at ${whenIn(o.at, zone)}: ${o.what}. The recovery sweep does it shortly after ${whenIn(o.dueAt, zone)}.`,
      ),
    ),
    repeatRequests(a.timeline, zone),
    lifecycle ? h('p', { class: 'muted', id: 'lifecycle' }, lifecycle) : '',
    h('h2', {}, 'What happened'),
    table(
      ['When', 'What'],
      a.timeline.map((t) =>
        h(
          'tr',
          { 'data-node': t.node },
          h('td', { class: 'when' }, whenIn(t.at, zone)),
          h(
            'td',
            {},
            h('span', { class: 'sentence' }, t.sentence ?? `${words(t.node)}: ${words(t.outcome)}`),
            rawJson({ node: t.node, outcome: t.outcome, ...(t.detail ? { detail: t.detail } : {}) }),
          ),
        ),
      ),
      { id: 'timeline' },
    ),
    // replaceChildren takes nodes, not arrays: the heading and table are spread in.
    ...(a.conversation?.length
      ? [
          h('h2', {}, 'Text conversation'),
          table(
            ['When', 'Who', 'Text'],
            a.conversation.map((m) =>
              h(
                'tr',
                { class: `sms ${m.direction}` },
                h('td', { class: 'when' }, whenIn(m.at, zone)),
                h('td', {}, m.direction === 'in' ? customer : (names.company.name ?? 'Us')),
                h('td', {}, m.text, m.action && m.direction === 'in' ? h('span', { class: 'muted' }, ` (${words(m.action)})`) : ''),
              ),
            ),
            { id: 'conversation' },
          ),
        ]
      : []),
    h('h2', {}, 'Messages'),
    table(
      ['Message', 'To', 'Status', 'Due', 'Sent', 'Text'],
      a.messages.map((m) =>
        h(
          'tr',
          {},
          h('td', {}, words(m.kind), h('span', { class: 'muted' }, ` by ${m.channel}`)),
          h('td', {}, m.technicianId ? techName(m.technicianId) : '', m.to ? h('div', { class: 'muted' }, m.to) : ''),
          h('td', {}, status(m.status), m.reason ? h('div', { class: 'muted' }, m.reason) : ''),
          h('td', { class: 'when' }, whenIn(m.dueAt, zone)),
          h('td', { class: 'when' }, whenIn(m.sentAt, zone)),
          h('td', {}, m.text ?? ''),
        ),
      ),
      { id: 'messages' },
    ),
    h('h2', {}, 'CRM writes'),
    table(
      ['What', 'At', 'Detail'],
      a.crmWrites.map((c) => {
        const { kind, adapter, at, ...rest } = c;
        return h(
          'tr',
          {},
          h('td', {}, `${words(kind)}${adapter ? ` (${adapter})` : ''}`),
          h('td', { class: 'when' }, whenIn(at ?? rest.writtenAt, zone)),
          h('td', {}, rawJson(rest)),
        );
      }),
      { id: 'crm-writes' },
    ),
    h('h2', {}, 'Open review items'),
    table(
      ['Kind', 'Reason', 'Opened'],
      a.reviewItems.map((r) => h('tr', {}, h('td', {}, r.kind), h('td', {}, r.reason), h('td', { class: 'when' }, whenIn(r.createdAt, zone)))),
      { id: 'booking-review' },
    ),
  );
}
