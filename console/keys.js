// API keys: create (the scopes offered are the ones GET /v1/me says this key may grant), rotate,
// revoke; a secret is shown once.

import { api } from './api.js';
import { flash, flashBox, h, main, status, table, when } from './ui.js';

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

export async function renderKeys() {
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
