// Signing in with an API key (checked with GET /v1/me), the identity in the header, signing out.

import { api, forgetKey, onKeyFailed, rememberKey } from './api.js';
import { route } from './nav.js';
import { h, main } from './ui.js';

export function signOut(message) {
  forgetKey();
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  renderSignIn(message);
}

export function renderSignIn(message) {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', placeholder: 'jr_…', required: true });
  const error = h('p', { id: 'signin-error', class: 'muted' }, message ?? '');
  const form = h(
    'form',
    {
      id: 'signin',
      class: 'signin',
      onsubmit: async (event) => {
        event.preventDefault();
        const key = input.value.trim();
        try {
          const me = await api('GET', '/v1/me', undefined, key);
          rememberKey(key);
          showIdentity(me);
          if (!location.hash || location.hash === '#/') location.hash = '#/bookings';
          else route();
        } catch (failure) {
          error.textContent = failure.status === 401 ? 'That API key is not valid.' : failure.message;
          error.className = 'error';
        }
      },
    },
    h('h1', {}, 'Sign in to the JobRelay console'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
    h('p', { class: 'muted' }, 'The key stays in this browser tab only (sessionStorage) and is sent to this site’s API alone.'),
  );
  main.replaceChildren(form);
}

export function showIdentity(me) {
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('who').textContent = `${me.tenantName ?? me.tenantId} · ${me.keyName ? `${me.keyName} · ` : ''}${me.scopes.join(', ')}`;
}

onKeyFailed(signOut);
