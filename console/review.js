// The review queue: filter by kind, status and age (the kinds and statuses as /v1/openapi.json
// publishes them); resolve with a note, redrive, accept or dismiss a booking that waits.

import { api } from './api.js';
import { bookingDecision } from './bookings.js';
import { queryEnum } from './enums.js';
import { customerInbox } from './inbox.js';
import { route } from './nav.js';
import { age, detail, flash, h, main, status, table } from './ui.js';

function reviewFilters(params, kinds, statuses) {
  const kind = h(
    'select',
    { name: 'kind' },
    h('option', { value: '' }, 'any kind'),
    kinds.map((k) => h('option', { value: k, selected: params.get('kind') === k }, k)),
  );
  const state = h(
    'select',
    { name: 'status' },
    [...statuses, ''].map((s) => h('option', { value: s, selected: (params.get('status') ?? 'open') === s }, s || 'any status')),
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
        : item.payload?.bookingId
          ? h('span', {}, `${item.subject.type} ${item.subject.id} `, h('a', { href: `#/bookings/${encodeURIComponent(item.payload.bookingId)}` }, 'request'))
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
            // A caller who could not be booked: the waitlist option (the payload lists the windows and neighbouring technicians);
            // a lead with no booking request (the caller hung up on a hold) has none: it is booked on the call back.
            item.kind === 'callback' && item.subject.type === 'lead' && item.payload?.options?.waitlist
              ? act(
                  'Waitlist',
                  async () => {
                    try {
                      await api('POST', `/v1/leads/${encodeURIComponent(item.subject.id)}/waitlist`, note.value.trim() ? { note: note.value.trim() } : {});
                      flash(`Lead ${item.subject.id} is on the waitlist: the next freed slot of its trade is offered by SMS.`);
                      route();
                    } catch (failure) {
                      flash(`Could not waitlist: ${failure.message}`, 'error');
                    }
                  },
                  'secondary',
                )
              : '',
            awaitsDecision ? act('Accept', async () => (await bookingDecision(item.subject.id, 'accept')) && route(), 'secondary') : '',
            awaitsDecision ? act('Dismiss', async () => (await bookingDecision(item.subject.id, 'dismiss', note.value.trim())) && route(), 'danger') : '',
          )
        : '',
    ),
  );
}

export async function renderReview(params) {
  const query = new URLSearchParams();
  for (const name of ['kind', 'olderThan']) if (params.get(name)) query.set(name, params.get(name));
  const state = params.has('status') ? params.get('status') : 'open';
  if (state) query.set('status', state);
  query.set('limit', '200');
  const [data, kinds, statuses, inbox] = await Promise.all([
    api('GET', `/v1/review-items?${query}`),
    queryEnum('GET', '/v1/review-items', 'kind'),
    queryEnum('GET', '/v1/review-items', 'status'),
    customerInbox(),
  ]);
  main.replaceChildren(
    h('h1', {}, 'Review queue'),
    inbox,
    reviewFilters(params, kinds, statuses),
    table(['Kind', 'Reason', 'Subject', 'Age', 'Status', 'Actions'], data.items.map(reviewRow), { id: 'review-items' }),
  );
}
