// Dispatch: the day's board, suggestions for technicians running behind, and the day plan.

import { api } from './api.js';
import { flash, h, main, pct, queryForm, status, table } from './ui.js';

const localToday = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};

/** "1 waitlisted caller", "3 waitlisted callers". */
const callers = (n) => `${n} waitlisted caller${n === 1 ? '' : 's'}`;
const clockMinutes = (time) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** A bar as wide as the minutes the job holds of the window (its duration plus travel, or the whole window). */
function minutesBar(job, window) {
  const held = job.minutes?.[window.start];
  if (held === undefined) return undefined;
  const width = Math.min(100, Math.round((held / Math.max(1, clockMinutes(window.end) - clockMinutes(window.start))) * 100));
  const label = job.durationMinutes !== undefined ? `${job.durationMinutes} min` : 'whole window';
  const bar = h('span', { class: 'minutes-bar' });
  bar.style.width = `${width}%`; // through the CSSOM: the console's CSP allows no inline style attribute
  return h(
    'div',
    { class: 'minutes', title: `${held} min of this window (${label})`, 'data-minutes': held },
    bar,
    h('small', {}, job.start === window.start ? label : 'runs on'),
  );
}

function dispatchBoard(board) {
  const cell = (tech, window) =>
    h(
      'td',
      {},
      tech.jobs
        .filter((job) => job.windowStarts.includes(window.start))
        .map((job) =>
          h(
            'div',
            { class: 'job', 'data-booking': job.bookingId },
            h('a', { href: `#/bookings/${encodeURIComponent(job.bookingId)}` }, job.jobTypeName ?? job.jobTypeId),
            ` ${job.postalCode} `,
            status(job.jobState ?? job.status),
            minutesBar(job, window),
          ),
        ),
    );
  return table(
    ['Technician', ...board.windows.map((w) => `${w.start}–${w.end}`)],
    board.technicians.map((tech) =>
      h(
        'tr',
        { 'data-technician': tech.technicianId },
        h('td', {}, tech.name),
        board.windows.map((w) => cell(tech, w)),
      ),
    ),
    { id: 'board' },
  );
}

function suggestionRow(suggestion, date, names) {
  const r = suggestion.reason;
  const who = (id) => names.get(id) ?? id ?? '?';
  const move = (from, to) =>
    `${who(from.technicianId)} ${from.start} → ${who(to.technicianId ?? from.technicianId)} ${to.date === from.date ? '' : to.date} ${to.start}`;
  return h(
    'tr',
    { 'data-suggestion': suggestion.suggestionId, 'data-kind': suggestion.kind },
    h('td', {}, suggestion.kind),
    h('td', {}, `${who(r.technicianId)} ${r.cause === 'running_long' ? 'running long' : 'arriving late'} by ${r.lateMinutes} min`),
    h(
      'td',
      {},
      h('a', { href: `#/bookings/${encodeURIComponent(suggestion.bookingId)}` }, suggestion.bookingId),
      ` ${move(suggestion.from, suggestion.to)}`,
      suggestion.swapWith
        ? h(
            'div',
            {},
            'and ',
            h('a', { href: `#/bookings/${encodeURIComponent(suggestion.swapWith.bookingId)}` }, suggestion.swapWith.bookingId),
            ` ${move(suggestion.swapWith.from, suggestion.swapWith.to)}`,
          )
        : null,
    ),
    h(
      'td',
      {},
      h('div', { class: 'message' }, suggestion.customerMessage),
      suggestion.swapWith ? h('div', { class: 'message' }, suggestion.swapWith.customerMessage) : null,
    ),
    h(
      'td',
      {},
      h(
        'button',
        {
          type: 'button',
          'data-action': 'accept-suggestion',
          onclick: async () => {
            try {
              await api('POST', `/v1/dispatch/suggestions/${encodeURIComponent(suggestion.suggestionId)}/accept`, {});
              flash(`Applied: ${suggestion.kind} for ${suggestion.bookingId}. The customer and both technicians are being told.`);
              await renderDispatch(new URLSearchParams({ date }));
            } catch (failure) {
              flash(`Could not apply it: ${failure.message}`, 'error');
            }
          },
        },
        'Accept',
      ),
    ),
  );
}

function planSection(date) {
  const box = h('section', { id: 'plan' });
  const run = async () => {
    box.replaceChildren(h('p', { class: 'muted' }, 'Planning…'));
    try {
      const plan = await api('POST', `/v1/dispatch/plan?date=${encodeURIComponent(date)}`);
      const row = (label, m) =>
        h(
          'tr',
          { 'data-row': label },
          h('td', {}, label),
          h('td', { class: 'num' }, m.served),
          h('td', { class: 'num' }, m.jobsPerTruck),
          h('td', { class: 'num' }, m.driveMinutes),
          h('td', { class: 'num' }, m.longHops),
        );
      box.replaceChildren(
        table(
          [
            '',
            { label: 'Jobs served', num: true },
            { label: 'Jobs per truck', num: true },
            { label: 'Drive minutes', num: true },
            { label: 'Long hops', num: true },
          ],
          [row('Now (the real assignment)', plan.current.metrics), row('Plan', plan.plan.metrics)],
          { id: 'plan-metrics' },
        ),
        h(
          'p',
          { id: 'plan-model', 'data-travel-model': plan.travelModel ?? 'buffer' },
          plan.travelModel === 'route'
            ? 'Planned with the real drive between consecutive jobs (each job starts inside its window). '
            : 'Planned with a fixed travel buffer per job. ',
          h(
            'span',
            { id: 'plan-drive', 'data-current': plan.current.metrics.driveMinutes, 'data-plan': plan.plan.metrics.driveMinutes },
            `Drive minutes: now ${plan.current.metrics.driveMinutes}, plan ${plan.plan.metrics.driveMinutes}`,
            plan.solver.objectiveKind === 'drive_minutes' ? ` (no plan of these jobs drives less than ${plan.solver.driveMinutesBound}).` : '.',
          ),
        ),
        h(
          'p',
          { class: 'muted' },
          `${plan.solver.solver === 'highs' ? 'HiGHS' : 'Route search'} ${plan.solver.status}, gap ${pct(plan.solver.gap)}, ${plan.solver.seconds} s${
            plan.solver.cut ? ` (time budget ${plan.solver.budgetSeconds} s cut: ${plan.solver.cut})` : ''
          }. ${plan.changes.length === 1 ? '1 job changes' : `${plan.changes.length} jobs change`} technician.${
            plan.waitlistPlaced?.length
              ? ` It also makes room for ${callers(plan.waitlistPlaced.length)} (counted above): applying it texts them the offer; nothing is held for them.`
              : ''
          }`,
        ),
        // The plan is today's assignment unchanged: why (the best plan found would drop a booked job, or drive more).
        ...(plan.solver.kept ? [h('p', { id: 'plan-kept' }, plan.solver.kept)] : []),
        h(
          'button',
          {
            type: 'button',
            'data-action': 'apply-plan',
            disabled: plan.changes.length === 0,
            onclick: async () => {
              try {
                // Whole or not at all: the answer is applied (every change) or an error (nothing changed).
                const result = await api('POST', '/v1/dispatch/reassign', {
                  date,
                  reason: 'Day plan',
                  planId: plan.planId,
                  boardVersion: plan.boardVersion,
                  assignments: plan.changes.map((c) => ({ jobId: c.to.jobId, technicianId: c.to.technicianId, start: c.to.start })),
                  ...(plan.waitlistPlaced?.length ? { waitlist: plan.waitlistPlaced } : {}),
                });
                const withdrawn = result.withdrawn?.length
                  ? ` ${result.withdrawn.length === 1 ? '1 job was' : `${result.withdrawn.length} jobs were`} changed by someone meanwhile and left as they are.`
                  : '';
                const offered = result.waitlistOffers?.length
                  ? ` ${callers(result.waitlistOffers.length)} ${result.waitlistOffers.length === 1 ? 'was' : 'were'} texted an offer.`
                  : '';
                flash(
                  `Plan applied: all ${result.applied.length} change(s).${withdrawn}${offered} Drive minutes now ${result.current.metrics.driveMinutes}.`,
                  'ok',
                );
                await renderDispatch(new URLSearchParams({ date }));
              } catch (failure) {
                flash(`Plan refused, nothing changed: ${failure.message}`, 'error');
              }
            },
          },
          'Apply the plan’s technician changes',
        ),
      );
    } catch (failure) {
      box.replaceChildren(h('p', { class: 'error' }, `Could not plan: ${failure.message}`));
    }
  };
  box.append(h('button', { type: 'button', class: 'secondary', 'data-action': 'plan', onclick: run }, 'Plan the day'));
  return box;
}

export async function renderDispatch(params) {
  const date = params.get('date') || localToday();
  const [board, suggestions] = await Promise.all([
    api('GET', `/v1/dispatch/board?date=${encodeURIComponent(date)}`),
    api('GET', `/v1/dispatch/suggestions?date=${encodeURIComponent(date)}`),
  ]);
  main.replaceChildren(
    h('h1', {}, 'Dispatch'),
    queryForm(
      'dispatch',
      { id: 'dispatch-date' },
      h('label', {}, 'Date ', h('input', { type: 'date', name: 'date', value: date })),
      h('button', { type: 'submit', class: 'secondary' }, 'Show'),
    ),
    dispatchBoard(board),
    h('h2', {}, 'Suggestions'),
    h(
      'p',
      { class: 'muted' },
      'When a technician reports a late ETA or a job running long, their next job gets options: move it, swap it, or reschedule it. Accepting goes through the same slot claims and messages as any booking change; the message shown is the one the customer gets.',
    ),
    table(
      ['Kind', 'Why', 'Change', 'Customer message', ''],
      suggestions.suggestions.map((x) => suggestionRow(x, date, new Map(board.technicians.map((t) => [t.technicianId, t.name])))),
      { id: 'suggestions' },
    ),
    h('h2', {}, 'Day plan'),
    planSection(date),
  );
}
