// Settings: technicians, job types and the company, each edited as the API takes it (JSON).

import { api } from './api.js';
import { flash, h, main, table } from './ui.js';

/**
 * Configuration as the API takes it: each record in a JSON editor, saved with PUT and checked by
 * the same zod schema as any API call (a refusal names the field). Admin scope.
 */
function jsonEditor(id, value, save) {
  const area = h('textarea', { id, rows: 14, cols: 100, spellcheck: 'false' });
  area.value = JSON.stringify(value, null, 2);
  const saveButton = h(
    'button',
    {
      type: 'button',
      'data-action': 'save',
      onclick: async () => {
        let parsed;
        try {
          parsed = JSON.parse(area.value);
        } catch (error) {
          flash(`Not valid JSON: ${error.message}`, 'error');
          return;
        }
        try {
          await save(parsed);
        } catch (failure) {
          flash(`Not saved: ${failure.message}`, 'error');
        }
      },
    },
    'Save',
  );
  return h('div', { class: 'editor' }, area, h('div', { class: 'actions' }, saveButton));
}

const TECHNICIAN_TEMPLATE = {
  technicianId: 'tech-new',
  name: '',
  phone: '+15125550000',
  trades: ['plumbing'],
  skills: [],
  postalCodes: [],
  shifts: { mon: { start: '08:00', end: '17:00' } },
  active: true,
  language: 'en',
};
const JOB_TYPE_TEMPLATE = { jobTypeId: 'new-job-type', name: '', trade: 'plumbing', requiredSkills: [], durationWindows: 1, emergency: false };

/**
 * One whole-number company setting with its own field: saved with the company settings (PUT), so
 * the API's schema and rules name the field when they refuse it. `describe` words it for the page,
 * `saved` for the message after a save.
 */
function companyNumberForm(company, strip, { field, id, label, unit, min, max, describe, saved }) {
  const input = h('input', { type: 'number', id, name: field, min, max, step: 1, size: 4 });
  input.value = String(company[field]);
  const save = h(
    'button',
    {
      type: 'button',
      'data-action': `save-${id}`,
      onclick: async () => {
        const value = Number(input.value);
        try {
          await api('PUT', '/v1/config/company', { ...strip(company), [field]: value });
        } catch (failure) {
          flash(`Not saved: ${failure.message}`, 'error');
          return;
        }
        await renderSettings(new URLSearchParams());
        flash(saved(value));
      },
    },
    'Save',
  );
  return h('section', { id: `${id}-editor` }, h('p', { class: 'muted' }, describe), h('label', {}, `${label} `, input, ` ${unit} `), save);
}

/**
 * The member reserve: how many of each technician's daily jobs only members may book (availability
 * and holds for a recognised member include them). The API's rule (emergency + member reserve below
 * the daily limit) names the field when it refuses.
 */
const memberReserveForm = (company, strip) =>
  companyNumberForm({ memberReserve: 0, ...company }, strip, {
    field: 'memberReserve',
    id: 'member-reserve',
    label: 'Member reserve',
    unit: 'jobs per technician per day',
    min: 0,
    max: 10,
    describe: `Of each technician's ${company.defaultDailyJobLimit} daily jobs, how many only members may book (after the emergency reserve of ${company.emergencyReserve}).`,
    saved: (n) => `Saved the member reserve: ${n} job${n === 1 ? '' : 's'} per technician per day.`,
  });

/**
 * The travel buffer: minutes each job with a duration also claims for the drive to it
 * (availability, holds, commit, reschedule, field moves and the day planner all count it). 0-60.
 */
const travelBufferForm = (company, strip) =>
  companyNumberForm(company, strip, {
    field: 'travelBufferMinutes',
    id: 'travel-buffer',
    label: 'Travel buffer',
    unit: 'minutes per job',
    min: 0,
    max: 60,
    describe: "Minutes each job with a duration also takes of its technician's window for the drive to it (0-60).",
    saved: (n) => `Saved the travel buffer: ${n} minute${n === 1 ? '' : 's'} per job.`,
  });

/** The travel model's choices, as the page says them (the API's values: tenant `travelModel`). */
const travelModels = (company) => [
  { value: 'buffer', label: `fixed buffer of ${company.travelBufferMinutes} minutes` },
  { value: 'route', label: 'real drive between consecutive jobs' },
];

/**
 * The travel model: a fixed travel buffer per job, or the real drive between a technician's
 * consecutive jobs (base first; every job starts inside its window). Bookings, moves and the day
 * planner all use the one the company chose. Saved with the company settings (PUT).
 */
function travelModelForm(company, strip) {
  const choices = travelModels(company);
  const current = company.travelModel ?? 'buffer';
  const select = h(
    'select',
    { id: 'travel-model', name: 'travelModel' },
    choices.map((c) => h('option', { value: c.value, selected: c.value === current }, c.label)),
  );
  const save = h(
    'button',
    {
      type: 'button',
      'data-action': 'save-travel-model',
      onclick: async () => {
        const value = select.value;
        try {
          await api('PUT', '/v1/config/company', { ...strip(company), travelModel: value });
        } catch (failure) {
          flash(`Not saved: ${failure.message}`, 'error');
          return;
        }
        await renderSettings(new URLSearchParams());
        flash(`Saved the travel model: ${choices.find((c) => c.value === value)?.label ?? value}.`);
      },
    },
    'Save',
  );
  return h(
    'section',
    { id: 'travel-model-editor' },
    h(
      'p',
      { class: 'muted' },
      'How bookings, moves and the day plan count the drive to each job: the fixed buffer below, or the real drive between consecutive jobs (each job still starts inside the window the customer was promised).',
    ),
    h('label', {}, 'Travel between jobs: ', select, ' '),
    save,
  );
}

export async function renderSettings(params) {
  const [company, technicians, jobTypes] = await Promise.all([
    api('GET', '/v1/config/company'),
    api('GET', '/v1/config/technicians'),
    api('GET', '/v1/config/job-types'),
  ]);
  const editing = params.get('edit');
  const [kind, id] = editing ? editing.split(':') : [];
  const strip = ({ tenantId: _t, ...rest }) => rest;
  const picked =
    kind === 'technician'
      ? (technicians.items.find((t) => t.technicianId === id) ?? { ...TECHNICIAN_TEMPLATE })
      : kind === 'job-type'
        ? (jobTypes.items.find((j) => j.jobTypeId === id) ?? { ...JOB_TYPE_TEMPLATE })
        : undefined;
  const saveRecord = async (value) => {
    const path =
      kind === 'technician'
        ? `/v1/config/technicians/${encodeURIComponent(value.technicianId)}`
        : `/v1/config/job-types/${encodeURIComponent(value.jobTypeId)}`;
    await api('PUT', path, value);
    // Back to the lists without a hashchange (which would clear the message).
    history.pushState(null, '', '#/settings');
    await renderSettings(new URLSearchParams());
    flash(`Saved ${kind} ${value.technicianId ?? value.jobTypeId}.`);
  };
  main.replaceChildren(
    h('h1', {}, 'Settings'),
    // (replaceChildren would print a null: spread the optional editor in instead)
    ...(picked
      ? [
          h(
            'section',
            { id: 'record-editor' },
            h('h2', {}, `${kind === 'technician' ? 'Technician' : 'Job type'} ${id === 'new' ? '(new)' : id}`),
            jsonEditor('record-json', strip(picked), saveRecord),
            h('p', {}, h('a', { href: '#/settings' }, 'Cancel')),
          ),
        ]
      : []),
    h('h2', {}, 'Technicians'),
    table(
      ['Name', 'Trades', 'Skills', 'Postal codes', 'Texts in', 'Active', ''],
      technicians.items.map((t) =>
        h(
          'tr',
          { 'data-technician': t.technicianId },
          h('td', {}, t.name),
          h('td', {}, t.trades.join(', ')),
          h('td', {}, t.skills.join(', ')),
          h('td', {}, t.postalCodes.join(' ')),
          h('td', { 'data-language': t.language ?? 'en' }, t.language === 'es' ? 'Español' : 'English'),
          h('td', {}, t.active ? 'yes' : 'no'),
          h('td', {}, h('a', { href: `#/settings?edit=technician:${encodeURIComponent(t.technicianId)}`, 'data-action': 'edit' }, 'Edit')),
        ),
      ),
      { id: 'technicians' },
    ),
    h('p', {}, h('a', { href: '#/settings?edit=technician:new' }, 'Add a technician')),
    h('h2', {}, 'Job types'),
    table(
      ['Name', 'Trade', 'Skills', { label: 'Windows', num: true }, 'Emergency', ''],
      jobTypes.items.map((j) =>
        h(
          'tr',
          { 'data-job-type': j.jobTypeId },
          h('td', {}, j.name),
          h('td', {}, j.trade),
          h('td', {}, j.requiredSkills.join(', ')),
          h('td', { class: 'num' }, j.durationWindows),
          h('td', {}, j.emergency ? 'yes' : 'no'),
          h('td', {}, h('a', { href: `#/settings?edit=job-type:${encodeURIComponent(j.jobTypeId)}`, 'data-action': 'edit' }, 'Edit')),
        ),
      ),
      { id: 'job-types' },
    ),
    h('p', {}, h('a', { href: '#/settings?edit=job-type:new' }, 'Add a job type')),
    h('h2', {}, 'Members first'),
    memberReserveForm(company, strip),
    h('h2', {}, 'Travel between jobs'),
    travelModelForm(company, strip),
    travelBufferForm(company, strip),
    h('h2', {}, 'Company'),
    h(
      'p',
      { class: 'muted' },
      'Arrival windows, time zone, hold minutes, daily limits, emergency reserve, on-call rotation, messaging, triage rules, per-source settings.',
    ),
    h(
      'section',
      { id: 'company-editor' },
      jsonEditor('company-json', strip(company), async (value) => {
        await api('PUT', '/v1/config/company', value);
        await renderSettings(new URLSearchParams());
        flash('Saved the company settings.');
      }),
    ),
  );
}
