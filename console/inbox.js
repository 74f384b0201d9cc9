// The dispatcher's inbox: customers' text replies the system did not act on (customer_reply review
// items, two-way SMS). Each shows who wrote, what they wrote and about which booking; "Answered"
// closes it with a note saying what was done.

import { api } from './api.js';
import { route } from './nav.js';
import { age, flash, h, table } from './ui.js';

function inboxRow(item) {
  const note = h('input', { name: 'note', placeholder: 'what you did (called back...)', size: 24 });
  const text = item.payload?.text ?? item.reason;
  const who = /^(.+?) texted: /.exec(item.reason)?.[1] ?? item.payload?.from ?? '';
  const answered = async () => {
    if (!note.value.trim()) return flash('Write what you did (e.g. "called back, gate fixed"), then mark it answered.', 'error');
    try {
      await api('POST', `/v1/review-items/${item.reviewItemId}/resolve`, { note: note.value.trim() });
      flash(`Marked the reply from ${who} as answered.`);
      route();
    } catch (failure) {
      flash(`Could not mark it answered: ${failure.message}`, 'error');
    }
  };
  return h(
    'tr',
    { 'data-reply': item.reviewItemId },
    h('td', {}, who, item.payload?.from && item.payload.from !== who ? h('div', { class: 'muted' }, item.payload.from) : ''),
    h('td', { class: 'reply-text' }, `“${text}”`),
    h(
      'td',
      {},
      item.subject.type === 'booking' ? h('a', { href: `#/bookings/${encodeURIComponent(item.subject.id)}` }, 'the booking and its thread') : 'no open booking',
    ),
    h('td', {}, `${age(item.createdAt)} ago`),
    h('td', {}, h('div', { class: 'actions' }, note, h('button', { type: 'button', 'data-action': 'answered', onclick: answered }, 'Answered'))),
  );
}

/** The open customer replies, newest first, as a section of the review page. */
export async function customerInbox() {
  const data = await api('GET', '/v1/review-items?kind=customer_reply&status=open&limit=200');
  const items = [...data.items].reverse();
  return h(
    'section',
    { id: 'customer-inbox' },
    h('h2', {}, `Customer replies (${items.length})`),
    table(['From', 'Wrote', 'About', 'When', ''], items.map(inboxRow), { id: 'customer-replies' }),
  );
}
