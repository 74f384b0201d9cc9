// Messages: every kind of message the company sends, rendered for a sample booking in English and
// Spanish exactly as it would go out (the tenant's own templates in place of the defaults), with who
// it is for, its channel and the variables a template may use. A template is tried here with the
// preview endpoint before it is saved in Settings (messaging.templates): an unknown variable is refused.

import { api } from './api.js';
import { flash, h, main } from './ui.js';

const RECIPIENTS = { customer: 'Customer', technician: 'Technician', dispatch: 'Dispatch', manager: 'On-call manager' };
const CHANNELS = { customer_channel: "customer's channel (SMS or email), quiet hours and opt-outs apply", staff_sms: 'SMS at once' };

function rendered(label, message) {
  return h(
    'div',
    { class: 'message', 'data-language': label.toLowerCase().slice(0, 2) },
    h('h3', {}, label, message.source === 'custom' ? h('span', { class: 'status custom' }, 'custom') : ''),
    message.error ? h('p', { class: 'error' }, message.error) : '',
    message.subject ? h('p', { class: 'subject' }, h('strong', {}, 'Subject: '), message.subject) : '',
    h('p', { class: 'text' }, message.text),
  );
}

function tryTemplate(kind) {
  const area = h('textarea', { rows: 3, cols: 90, spellcheck: 'false', placeholder: `Hi {{firstName}}, ... (template for ${kind})` });
  const language = h(
    'select',
    {},
    h('option', { value: '' }, 'both languages'),
    h('option', { value: 'en' }, 'English'),
    h('option', { value: 'es' }, 'Spanish'),
  );
  const out = h('div', { class: 'preview' });
  const button = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        const key = language.value ? `${kind}.${language.value}` : kind;
        try {
          const answer = await api('POST', '/v1/messages/preview', { templates: { [key]: area.value }, kinds: [kind] });
          const item = answer.items[0];
          out.replaceChildren(rendered('English', item.rendered.en), rendered('Español', item.rendered.es));
        } catch (failure) {
          flash(`Not valid: ${failure.message}`, 'error');
        }
      },
    },
    'Preview',
  );
  return h('details', {}, h('summary', {}, 'Try your own wording'), area, h('div', { class: 'actions' }, language, button), out);
}

export async function renderMessages() {
  const { items } = await api('GET', '/v1/messages/catalogue');
  main.replaceChildren(
    h('h1', {}, 'Messages'),
    h(
      'p',
      { class: 'muted' },
      `Every message, as it goes out for a sample booking (Jordan Lee, Drain clog, Mon, Nov 30, 8-10 AM, with Maria), in English and Spanish. `,
      'Customers get their own language. To change the wording, try it below, then save it in Settings under messaging.templates ',
      '(key <kind>, <kind>.es, <kind>.subject or <kind>.subject.es).',
    ),
    h(
      'nav',
      { class: 'kinds' },
      items.map((item) =>
        h(
          'a',
          {
            href: `#/messages?kind=${item.kind}`,
            onclick: (e) => {
              e.preventDefault();
              document.getElementById(`kind-${item.kind}`)?.scrollIntoView();
            },
          },
          item.kind,
        ),
      ),
    ),
    ...items.map((item) =>
      h(
        'section',
        { class: 'kind', id: `kind-${item.kind}`, 'data-kind': item.kind },
        h('h2', {}, item.kind),
        h('p', { class: 'muted' }, `${RECIPIENTS[item.recipient] ?? item.recipient} · ${CHANNELS[item.channel] ?? item.channel}`),
        h('div', { class: 'languages' }, rendered('English', item.rendered.en), rendered('Español', item.rendered.es)),
        h(
          'details',
          {},
          h('summary', {}, `Variables (${item.variables.length})`),
          h(
            'ul',
            { class: 'variables' },
            item.variables.map((v) => h('li', {}, h('code', {}, `{{${v.name}}}`), ' ', v.description)),
          ),
        ),
        tryTemplate(item.kind),
      ),
    ),
  );
}
