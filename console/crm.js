// Connect your CRM: choose the adapter and its settings, enter the credentials (sent once, never
// shown again), Test, then pick the mapping from the lists the CRM gives (GET /v1/config/crm/options).
// The same routes as `jobrelay crm ...` and the API (README "Connect your CRM").

import { api } from './api.js';
import { flash, h, main, table, when } from './ui.js';

// Per adapter: the non-secret settings and the credential fields the API takes.
const ADAPTERS = {
  builtin: { label: 'Built-in (no external CRM)', settings: [], credentials: [] },
  servicetitan: {
    label: 'ServiceTitan',
    settings: ['stTenantId', 'bookingProviderId', 'apiUrl', 'authUrl'],
    credentials: ['clientId', 'clientSecret', 'appKey'],
  },
  hubspot: { label: 'HubSpot', settings: ['apiUrl'], credentials: ['accessToken'] },
  housecallpro: { label: 'Housecall Pro', settings: ['apiUrl'], credentials: ['apiKey'] },
  jobber: { label: 'Jobber', settings: ['apiUrl', 'apiVersion'], credentials: ['clientId', 'clientSecret', 'refreshToken'] },
  webhook: { label: 'Signed webhook', settings: ['url'], credentials: ['signingKey'] },
};
const SECRET = new Set(['clientSecret', 'accessToken', 'apiKey', 'signingKey', 'refreshToken']);
// CRMs whose customers the read sync reads (POST|GET /v1/crm/sync).
const READS_CUSTOMERS = new Set(['servicetitan', 'hubspot', 'housecallpro', 'jobber']);
/** How often the sync panel reads the progress while a run is moving. */
const SYNC_REFRESH_MS = 2_000;

const field = (name, value = '', form) =>
  h('label', {}, `${name} `, h('input', { name, value: value ?? '', form, type: SECRET.has(name) ? 'password' : 'text', autocomplete: 'off', size: 24 }));

const valuesOf = (form) =>
  Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => String(v).trim() !== '').map(([k, v]) => [k, String(v).trim()]));

function testReport(result) {
  return h(
    'div',
    { class: result.ok ? 'msg' : 'msg error', id: 'crm-test-result' },
    h('strong', {}, result.ok ? `Connected (${result.adapter})` : `Not connected: ${result.auth}`),
    result.message ? h('div', {}, result.message) : '',
    result.scopes.length ? h('div', {}, `Scopes: ${result.scopes.join(', ')}`) : '',
    Object.keys(result.visible).length
      ? h(
          'div',
          {},
          `Sees: ${Object.entries(result.visible)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        )
      : '',
    result.createdProperties?.length ? h('div', {}, `Created HubSpot properties: ${result.createdProperties.join(', ')}`) : '',
  );
}

/** A table row of cells that may be elements (the pickers). */
const row = (cells) =>
  h(
    'tr',
    {},
    cells.map((cell) => h('td', {}, cell)),
  );

function picker(name, options, selected) {
  return h(
    'select',
    { name },
    h('option', { value: '' }, '— not mapped —'),
    options.map((o) => h('option', { value: o.id, selected: o.id === selected }, `${o.name} (${o.id})`)),
  );
}

async function renderMapping(container, config) {
  let options;
  try {
    options = await api('GET', '/v1/config/crm/options');
  } catch (failure) {
    container.replaceChildren(h('p', { class: 'error' }, `Could not fetch the lists: ${failure.message}`));
    return;
  }
  const [jobTypes, company] = await Promise.all([api('GET', '/v1/config/job-types'), api('GET', '/v1/config/company')]);
  const ids = config.ids ?? {};
  if (options.pipelines.length) {
    // HubSpot: the deal stage of each mapping-table stage name, picked from the pipelines.
    const stages = options.pipelines.flatMap((p) => p.stages.map((s) => ({ id: s.id, name: `${p.name}: ${s.name}`, pipeline: p.id })));
    const names = ['Pending Approval', 'Booked', 'Dispatched', 'Completed', 'Invoiced', 'Closed Won', 'Closed Lost', 'No Show'];
    const form = h(
      'form',
      {
        id: 'crm-stages',
        onsubmit: async (event) => {
          event.preventDefault();
          const picked = valuesOf(event.target);
          const pipelineId = stages.find((s) => Object.values(picked).includes(s.id))?.pipeline ?? config.crm.pipelineId;
          await api('PUT', '/v1/config/crm', { ...config.crm, pipelineId, dealStageIds: picked });
          flash('Deal stages saved.');
        },
      },
      table(
        ['Stage in JobRelay', 'HubSpot stage'],
        names.map((n) => row([n, picker(n, stages, config.crm.dealStageIds?.[n])])),
      ),
      h('button', { type: 'submit' }, 'Save stages'),
    );
    container.replaceChildren(h('h2', {}, 'Deal stages'), form);
    return;
  }
  const sources = Object.keys(company.sourceSettings ?? {});
  const form = h(
    'form',
    {
      id: 'crm-mapping',
      onsubmit: async (event) => {
        event.preventDefault();
        const picked = valuesOf(event.target);
        const group = (prefix) =>
          Object.fromEntries(
            Object.entries(picked)
              .filter(([k]) => k.startsWith(prefix))
              .map(([k, v]) => [k.slice(prefix.length), v]),
          );
        const saved = await api('PUT', '/v1/config/crm-mapping', {
          ids: {
            jobTypes: group('jobType:'),
            businessUnits: group('businessUnit:'),
            campaigns: group('campaign:'),
            technicians: ids.technicians ?? {},
            defaults: group('default:'),
          },
        });
        config.ids = saved.ids;
        flash('Mapping saved: bookings are filed under these ids from the next one on.');
      },
    },
    table(
      ['Job type', `${ADAPTERS[options.adapter]?.label ?? options.adapter} job type`, 'Business unit'],
      jobTypes.items.map((t) =>
        row([
          `${t.name} (${t.jobTypeId})`,
          picker(`jobType:${t.jobTypeId}`, options.jobTypes, ids.jobTypes?.[t.jobTypeId]),
          options.businessUnits.length ? picker(`businessUnit:${t.jobTypeId}`, options.businessUnits, ids.businessUnits?.[t.jobTypeId]) : '–',
        ]),
      ),
    ),
    options.campaigns.length
      ? table(
          ['Marketing source', 'Campaign'],
          [
            ...sources.map((s) => row([s, picker(`campaign:${s}`, options.campaigns, ids.campaigns?.[s])])),
            row(['Any other source (default)', picker('default:campaign', options.campaigns, ids.defaults?.campaign)]),
          ],
        )
      : '',
    h('button', { type: 'submit' }, 'Save mapping'),
  );
  container.replaceChildren(
    h('h2', {}, 'Mapping'),
    h('p', { class: 'muted' }, 'Picked from the lists your CRM gives. A booking missing one goes to the review queue, naming what to map.'),
    form,
  );
}

/** The read sync's progress as a definition list: state, counts, last checkpoint, waits and the error it waits on. */
function syncReport(status) {
  const rows = [
    ['State', `${status.state} (${status.mode})`],
    ['Pages read', String(status.pages)],
    ['Customers read', String(status.customers)],
    ['Started', when(status.startedAt)],
    ['Last checkpoint', when(status.updatedAt)],
    status.finishedAt ? ['Finished', when(status.finishedAt)] : undefined,
    status.modifiedSince ? ['Changes since', when(status.modifiedSince)] : undefined,
    ['Throttled by the CRM', `${status.throttled} time${status.throttled === 1 ? '' : 's'}`],
    status.retries ? ['Retries of this page', String(status.retries)] : undefined,
    status.retryAt && status.state === 'waiting' ? ['Next try', when(status.retryAt)] : undefined,
    status.lastError ? ['Last error', status.lastError] : undefined,
  ].filter(Boolean);
  return h(
    'dl',
    { id: 'crm-sync-status', 'data-state': status.state },
    rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', { 'data-field': term }, value)]),
  );
}

/**
 * The read sync panel: progress from GET /v1/crm/sync, read again every few seconds while a run is
 * moving (and the page is still shown); "Start backfill" before the first run, "Sync now" (an
 * incremental run) after one finished.
 */
async function renderSync(container) {
  let status;
  try {
    status = await api('GET', '/v1/crm/sync');
  } catch (failure) {
    if (failure.status !== 404) {
      container.replaceChildren(h('h2', {}, 'Customers from your CRM'), h('p', { class: 'error' }, `Could not read the sync: ${failure.message}`));
      return;
    }
  }
  if (!container.isConnected && container.dataset.rendered) return; // the owner moved to another page
  container.dataset.rendered = '1';
  const moving = status && ['running', 'waiting'].includes(status.state);
  const mode = status?.watermark ? 'incremental' : 'backfill';
  const button = h(
    'button',
    {
      type: 'button',
      id: 'crm-sync-start',
      disabled: moving,
      onclick: async () => {
        try {
          await api('POST', '/v1/crm/sync', { mode });
          flash(mode === 'backfill' ? 'Backfill started: your CRM’s customers are being read.' : 'Sync started: changes since the last sync are being read.');
        } catch (failure) {
          flash(`Could not start the sync: ${failure.message}`, 'error');
        }
        await renderSync(container);
      },
    },
    mode === 'backfill' ? 'Start backfill' : 'Sync now',
  );
  container.replaceChildren(
    h('h2', {}, 'Customers from your CRM'),
    h(
      'p',
      { class: 'muted' },
      'JobRelay reads your CRM’s customers (with locations, memberships, equipment and open estimates) so a caller who is already your customer is recognised. After the backfill, changes arrive by your CRM’s webhooks and every 15 minutes.',
    ),
    status ? syncReport(status) : h('p', { id: 'crm-sync-status', 'data-state': 'none' }, 'No sync has run yet.'),
    h('p', {}, button),
  );
  if (moving) setTimeout(() => container.isConnected && renderSync(container), SYNC_REFRESH_MS);
}

export async function renderCrm() {
  const config = await api('GET', '/v1/config/crm');
  const adapter = h(
    'select',
    { name: 'adapter', id: 'crm-adapter', onchange: () => showFields(adapter.value) },
    Object.entries(ADAPTERS).map(([value, { label }]) => h('option', { value, selected: value === config.crm.adapter }, label)),
  );
  const settingsBox = h('div', { id: 'crm-settings' });
  const credentialsBox = h('div', { id: 'crm-credentials' });
  const result = h('div', { id: 'crm-result' });
  const mapping = h('div', { id: 'crm-mapping-box' });
  const sync = h('section', { id: 'crm-sync' });
  function showFields(name) {
    const spec = ADAPTERS[name];
    settingsBox.replaceChildren(...spec.settings.map((s) => field(s, name === config.crm.adapter ? config.crm[s] : '')));
    credentialsBox.replaceChildren(
      ...spec.credentials.map((c) => field(c, '')),
      spec.credentials.length
        ? h(
            'span',
            { class: 'muted' },
            config.credentialSet && name === config.crm.adapter ? ' Credentials are set (enter new ones to replace them).' : ' Not set yet.',
          )
        : '',
    );
  }
  showFields(config.crm.adapter);
  const form = h(
    'form',
    {
      id: 'crm-connect',
      onsubmit: async (event) => {
        event.preventDefault();
        const name = adapter.value;
        const entered = valuesOf(event.target);
        const pick = (keys) => Object.fromEntries(keys.filter((k) => entered[k] !== undefined).map((k) => [k, entered[k]]));
        try {
          const keep = name === config.crm.adapter ? config.crm : {};
          await api('PUT', '/v1/config/crm', { ...keep, adapter: name, ...pick(ADAPTERS[name].settings) });
          const secret = pick(ADAPTERS[name].credentials);
          if (Object.keys(secret).length) await api('PUT', '/v1/config/crm/credentials', { adapter: name, ...secret });
          const tested = await api('POST', '/v1/config/crm/test');
          result.replaceChildren(testReport(tested));
          Object.assign(config, await api('GET', '/v1/config/crm'));
          if (tested.ok && name !== 'builtin' && name !== 'webhook') await renderMapping(mapping, config);
          if (tested.ok && READS_CUSTOMERS.has(name)) await renderSync(sync);
        } catch (failure) {
          flash(`Could not connect: ${failure.message}`, 'error');
        }
      },
    },
    h('label', {}, 'CRM ', adapter),
    h('h2', {}, 'Settings'),
    settingsBox,
    h('h2', {}, 'Credentials'),
    credentialsBox,
    h('p', {}, h('button', { type: 'submit', id: 'crm-test' }, 'Save and test')),
  );
  main.replaceChildren(
    h('h1', {}, 'Connect your CRM'),
    h(
      'p',
      { class: 'muted' },
      'Choose your CRM, enter its credentials (stored in your account’s secret, never shown again), test, then pick the mapping from its own lists.',
    ),
    form,
    result,
    mapping,
    sync,
  );
  if (config.crm.adapter !== 'builtin' && config.credentialSet) {
    result.replaceChildren(testReport(await api('POST', '/v1/config/crm/test')));
    if (config.crm.adapter !== 'webhook') await renderMapping(mapping, config);
    if (READS_CUSTOMERS.has(config.crm.adapter)) await renderSync(sync);
  }
}
