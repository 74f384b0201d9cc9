// Queues: each work queue's depth and its dead-letter queue's, and a DLQ redrive (ops scope).

import { api } from './api.js';
import { route } from './nav.js';
import { flash, h, main, status, table, when } from './ui.js';

export async function renderQueues() {
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
