// The JobRelay operator console: small ES modules, no framework, no CDN (the console must work
// with no network beyond its own API). It signs in with an API key kept in this tab only
// (sessionStorage) and calls the same /v1 API the bots and the CLI use. Every value from the API
// is put on the page as text (textContent), never as HTML. This module routes `#/<page>` to the
// page modules (one per page: bookings.js, review.js, dispatch.js, queues.js, reports.js, keys.js,
// messages.js, settings.js) and starts the console.

import { api, apiKey } from './api.js';
import { renderBooking, renderBookings } from './bookings.js';
import { renderCrm } from './crm.js';
import { renderDispatch } from './dispatch.js';
import { renderKeys } from './keys.js';
import { renderMessages } from './messages.js';
import { setRouter } from './nav.js';
import { renderQueues } from './queues.js';
import { renderReports } from './reports.js';
import { renderReview } from './review.js';
import { renderSettings } from './settings.js';
import { renderSignIn, showIdentity, signOut } from './signin.js';
import { flashBox, h, main } from './ui.js';

const pages = [
  [/^#\/bookings\/([^/?]+)$/, (m) => renderBooking(decodeURIComponent(m[1]))],
  [/^#\/bookings$/, (_, params) => renderBookings(params)],
  [/^#\/review$/, (_, params) => renderReview(params)],
  [/^#\/dispatch$/, (_, params) => renderDispatch(params)],
  [/^#\/queues$/, () => renderQueues()],
  [/^#\/reports$/, (_, params) => renderReports(params)],
  [/^#\/keys$/, () => renderKeys()],
  [/^#\/messages$/, () => renderMessages()],
  [/^#\/settings$/, (_, params) => renderSettings(params)],
  [/^#\/crm$/, () => renderCrm()],
];

async function route() {
  if (!apiKey()) return renderSignIn();
  const [path, search = ''] = (location.hash || '#/bookings').split('?');
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', path.startsWith(link.getAttribute('href')));
  const page = pages.find(([pattern]) => pattern.test(path));
  if (!page) {
    location.hash = '#/bookings';
    return;
  }
  main.setAttribute('aria-busy', 'true');
  // A page re-rendered in place (after an action, or a second route() racing the first) keeps what
  // the user typed: a half-written dismiss reason or note must not vanish under their cursor.
  const typed = main.dataset.path === path ? typedValues() : new Map();
  try {
    await page[1](page[0].exec(path), new URLSearchParams(search));
    restoreTypedValues(typed);
  } catch (failure) {
    if (apiKey()) main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'error', id: 'page-error' }, failure.message));
  } finally {
    main.setAttribute('aria-busy', 'false');
    main.dataset.page = path.slice(2).split('/')[0];
    main.dataset.path = path;
  }
}

/** Values the user typed into the page's text fields, by element id. */
function typedValues() {
  const values = new Map();
  for (const field of main.querySelectorAll('input[id]:not([type=checkbox]):not([type=radio]), textarea[id]')) {
    if (field.value) values.set(field.id, field.value);
  }
  return values;
}

/** Puts typed values back into the re-rendered fields that came up empty. */
function restoreTypedValues(values) {
  for (const [id, value] of values) {
    const field = document.getElementById(id);
    if (field && main.contains(field) && !field.value) field.value = value;
  }
}

setRouter(route);
document.getElementById('signout').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', () => {
  flashBox.replaceChildren();
  route();
});

(async () => {
  if (apiKey()) {
    try {
      showIdentity(await api('GET', '/v1/me'));
    } catch {
      return;
    }
  }
  route();
})();
