/**
 * Emergency dispatch now (issue 15 item 1), through the public API on the local system. The local
 * time is placed by the tenant's zone (an Etc/GMT zone where it is 11-something in the morning now),
 * so "late morning" holds whenever the tests run; page timeouts and escalation run the dispatch
 * sweep's use case with an injected clock, as the MinuteSweeps schedule does every minute.
 */
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { claimHold } from '../../functions/capacity/store';
import { answerPage } from '../../functions/emergency/accept';
import { sweepDueDispatches } from '../../functions/emergency/sweep';
import { twilioSignature } from '../../functions/notify/inbound-sms.handler';
import type { Tenant } from '../../functions/tenant/model';
import { getTenant, putTechnician, putTenant } from '../../functions/tenant/store';
import { demoTechnicians } from '../../local/demo';
import { bookingRequest, createTestTenant, itemsWithPrefix, partitionItems, setCredential, type TestTenant, storedClaims } from './helpers';
import { drain, outboxFor, sweepSubjects } from './lifecycle-helpers';

/** An IANA zone where the local hour is `hour` right now (Etc/GMT+N is UTC-N). */
function zoneAtLocalHour(hour: number): string {
  const offset = new Date().getUTCHours() - hour;
  const n = offset > 12 ? offset - 24 : offset < -14 ? offset + 24 : offset;
  return n === 0 ? 'Etc/GMT' : n > 0 ? `Etc/GMT+${n}` : `Etc/GMT${n}`;
}

const burstPipe = (postalCode: string) =>
  bookingRequest({
    jobTypeId: 'plumbing-burst-pipe',
    address: { line1: '5 Elm St', city: 'Austin', region: 'TX', postalCode, country: 'US' },
    transcript: [{ role: 'customer', text: 'A pipe burst under the sink, water everywhere.' }],
  });

/**
 * A Sunday late morning: nobody is on a regular shift today (every technician off), the on-call
 * plumbers cover neither the caller's ZIP (78745) nor each other's; an HVAC tech on call covers it.
 */
async function sundayLateMorning(overrides: Partial<Tenant> = {}, hour = 11): Promise<{ tenant: TestTenant; zone: string; today: string }> {
  const zone = zoneAtLocalHour(hour);
  const today = DateTime.now().setZone(zone).toISODate()!;
  const range = { from: today, to: DateTime.fromISO(today).plus({ days: 1 }).toISODate()! };
  const tenant = await createTestTenant({
    timeZone: zone,
    onCallRotation: ['tech-01', 'tech-04', 'tech-08'].map((technicianId) => ({ technicianId, ...range })),
    ...overrides,
  });
  for (const technician of demoTechnicians) {
    // tech-04 starts nearer the caller than tech-01 (whose id sorts first): the page order is distance, not id.
    const base = technician.technicianId === 'tech-04' ? '78741' : technician.technicianId === 'tech-01' ? '78727' : undefined;
    await putTechnician(tenant.tenantId, { ...technician, timeOff: [{ from: today, to: today, reason: 'Sunday' }], ...(base ? { basePostalCode: base } : {}) });
  }
  return { tenant, zone, today };
}

/**
 * Books through the API. On a loaded machine the route may answer 202 (still running, booking/budget.ts):
 * then the booking is read until its run settled, as a bot would follow the status URL.
 */
async function book(tenant: TestTenant, body: unknown): Promise<Record<string, any>> {
  const response = await tenant.call('POST', '/v1/bookings', body);
  expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
  if (response.status === 201) return response.body;
  let settled: Record<string, any> = response.body;
  await expect
    .poll(
      async () => {
        settled = (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
        return settled.status;
      },
      { timeout: 60_000, interval: 500 },
    )
    .not.toBe('received');
  return settled;
}

/** Books a burst pipe that pages on-call, and the link the page carries (its path). */
async function bookPaged(tenant: TestTenant, postalCode = '78745'): Promise<{ bookingId: string; path: string }> {
  const booked = await book(tenant, burstPipe(postalCode));
  expect(booked.status).toBe('dispatching');
  const bookingId = booked.bookingId as string;
  const record = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).find((i) => i.sk === 'BOOKING')!;
  return { bookingId, path: new URL(record.messageVars.pageLink, 'http://x').pathname };
}

/** The paged technician's answer by the link, as their phone's browser posts the form. */
async function answerLink(path: string, answer: 'accept' | 'decline' = 'accept'): Promise<unknown> {
  const response = await fetch(`${inject('apiUrl')}${path}`, {
    method: 'POST',
    body: `answer=${answer}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return response.json();
}

/** Every technician on shift 06:00-22:00 every day. */
async function everyDayShifts(tenantId: string): Promise<void> {
  const everyDay = { start: '06:00', end: '22:00' };
  for (const technician of demoTechnicians) {
    await putTechnician(tenantId, {
      ...technician,
      shifts: { mon: everyDay, tue: everyDay, wed: everyDay, thu: everyDay, fri: everyDay, sat: everyDay, sun: everyDay },
    });
  }
}

/**
 * Windows placed around now (one under way, where tech-04 already has another job for the next half
 * hour, and the next one), on a Sunday late morning: tech-04, paged first, overbooks by accepting.
 */
async function overbookingMorning(): Promise<{
  tenant: TestTenant;
  today: string;
  other: string;
  underWay: { start: string; end: string };
  next: { start: string; end: string };
}> {
  const zone = zoneAtLocalHour(11);
  const local = DateTime.now().setZone(zone);
  const hhmm = (minutes: number) => local.plus({ minutes }).toFormat('HH:mm');
  const underWay = { start: hhmm(-60), end: hhmm(30) };
  const next = { start: hhmm(30), end: hhmm(150) };
  const { tenant, today } = await sundayLateMorning({ timeZone: zone, arrivalWindows: [underWay, next] });
  const other = `B-other-${Date.now()}`;
  // The other job holds tech-04's next half hour (minute units 5 and 6 of the window under way).
  const plan = {
    date: today,
    start: underWay.start,
    end: underWay.end,
    technicianId: 'tech-04',
    windowStarts: [underWay.start],
    units: { [underWay.start]: [5, 6] },
    techDayIndex: 1,
    jobTypeId: 'plumbing-leak-repair',
  };
  const hold = { tenantId: tenant.tenantId, holdId: `hold-${other}`, plan, emergency: false, bookingId: other, source: 'booking' as const };
  expect(await claimHold({ ...hold, createdAt: new Date().toISOString(), status: 'BOOKED' }, new Date())).toBe('won');
  return { tenant, today, other, underWay, next };
}

async function dispatchOf(tenantId: string, bookingId: string): Promise<Record<string, any>> {
  const items = await itemsWithPrefix(`T#${tenantId}#BOOKING#${bookingId}`);
  return items.find((i) => i.sk === 'DISPATCH')!;
}
async function ledger(tenantId: string, bookingId: string): Promise<Array<Record<string, any>>> {
  return (await itemsWithPrefix(`T#${tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));
}
const minutesFrom = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);

const twilioTenants: string[] = [];
afterAll(async () => {
  // Other files sweep every tenant's rows later: back to the local outbox, no Twilio here.
  for (const tenantId of twilioTenants) {
    const tenant = await getTenant(tenantId);
    if (tenant) await putTenant({ ...tenant, messaging: { ...tenant.messaging, sms: { provider: 'outbox' } } });
  }
});

describe('emergency dispatch now', { timeout: 240_000 }, () => {
  it('a burst pipe on a Sunday late morning with no on-call coverage of the ZIP pages the nearest on-call plumber (not HVAC), escalates when unanswered, never says "confirmed"', async () => {
    const { tenant } = await sundayLateMorning();
    const booked = await book(tenant, burstPipe('78745'));
    expect(booked.status).toBe('dispatching');
    expect(booked.window).toBeNull();
    const bookingId = booked.bookingId;

    const dispatch = await dispatchOf(tenant.tenantId, bookingId);
    // Plumbers only, nearest first: tech-04 (base 78741) before tech-01 (base 78727); never tech-08 (HVAC).
    expect(dispatch.candidates).toEqual(['tech-04', 'tech-01']);
    expect(dispatch.pages.map((p: { technicianId: string }) => p.technicianId)).toEqual(['tech-04']);

    // The customer hears at once: being dispatched, and safety advice (shut the main water valve).
    await sweepSubjects(tenant.tenantId, [bookingId], new Date());
    const told = (await outboxFor(tenant.tenantId, bookingId)).filter((m) => m.to === '+15125550142');
    expect(told.map((m) => m.text).join('\n')).toMatch(/a technician is being dispatched; we'll text you their ETA/);
    expect(told.map((m) => m.text).join('\n')).toMatch(/shut off the main water valve/);
    const page = (await outboxFor(tenant.tenantId, bookingId)).find((m) => m.to === '+15125552004');
    expect(page?.text).toMatch(new RegExp(`Reply YES ${dispatch.code}`));

    // The page times out: the next plumber is paged (not the HVAC tech covering the ZIP).
    await sweepDueDispatches(minutesFrom(dispatch.startedAt, 6), { tenantId: tenant.tenantId });
    const second = await dispatchOf(tenant.tenantId, bookingId);
    expect(second.pages.map((p: { technicianId: string }) => p.technicianId)).toEqual(['tech-04', 'tech-01']);
    expect(second.escalatedAt).toBeUndefined();

    // Nobody accepts within the tenant's 15 minutes: the on-call manager is texted and a review item opened.
    await sweepDueDispatches(minutesFrom(dispatch.startedAt, 16), { tenantId: tenant.tenantId });
    const rows = await ledger(tenant.tenantId, bookingId);
    expect(rows.map((r) => r.kind)).toContain('oncall_escalation');
    expect(
      rows
        .filter((r) => r.kind === 'oncall_page')
        .map((r) => r.technicianId)
        .sort(),
    ).toEqual(['tech-01', 'tech-04']);
    const review = await tenant.call('GET', '/v1/review-items?kind=emergency_unanswered');
    expect(review.body.items.some((i: { subject: { id: string }; reason: string }) => i.subject.id === bookingId && /not accepted/.test(i.reason))).toBe(true);

    // Never "confirmed" for a later day: no confirmation row, the booking still dispatching.
    expect(rows.map((r) => r.kind)).not.toContain('confirmation');
    await sweepSubjects(tenant.tenantId, [bookingId], minutesFrom(dispatch.startedAt, 16));
    const customerTexts = (await outboxFor(tenant.tenantId, bookingId)).filter((m) => m.to === '+15125550142').map((m) => m.text);
    expect(customerTexts.join('\n')).not.toMatch(/confirmed/i);
    expect((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.status).toBe('dispatching');
  });

  it('a paged technician accepting by SMS reply (YES <code>) confirms the booking with them and a same-day window, writes the CRM, texts the ETA', async () => {
    const authToken = 'emergency-test-token';
    const { tenant, zone, today } = await sundayLateMorning({
      messaging: { sms: { provider: 'twilio', accountSid: 'AC00000000000000000000000000000000', from: '+15125550100' }, templates: {} },
    });
    twilioTenants.push(tenant.tenantId);
    await setCredential(tenant, 'sms', { provider: 'twilio', authToken });
    const booked = await book(tenant, burstPipe('78745'));
    expect(booked.status).toBe('dispatching');
    const bookingId = booked.bookingId;
    const { code } = await dispatchOf(tenant.tenantId, bookingId);

    const url = `${inject('apiUrl')}/v1/webhooks/sms/${tenant.tenantId}`;
    const reply = (From: string, Body: string) => {
      const params = { From, To: '+15125550100', Body, MessageSid: `SM${Date.now()}${Math.random().toString(36).slice(2)}` };
      // The answer is TwiML, not JSON.
      return fetch(url, {
        method: 'POST',
        body: new URLSearchParams(params).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(authToken, url.replace(/^http:\/\//, 'https://'), params),
        },
      });
    };
    // Someone never paged cannot take it; the paged plumber can.
    expect((await reply('+15125552008', `YES ${code}`)).headers.get('x-jobrelay-action')).not.toBe('page_accepted');
    const accepted = await reply('+15125552004', `yes ${code}`);
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('x-jobrelay-action')).toBe('page_accepted');

    const booking = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(['confirmed', 'pending_crm_sync']).toContain(booking.status);
    expect(booking.window).toMatchObject({ date: today, technicianId: 'tech-04' });
    const localNow = DateTime.now().setZone(zone).toFormat('HH:mm');
    expect(booking.window.start <= localNow && localNow < booking.window.end).toBe(true);
    const crm = (await partitionItems(`T#${tenant.tenantId}#CRM`)).find((i) => i.sk === `JOB#${bookingId}`);
    expect(crm).toBeDefined();
    expect((await ledger(tenant.tenantId, bookingId)).map((r) => r.kind)).toContain('emergency_eta');
    // A late second answer finds it taken; the round is over (nothing due for the sweep).
    expect((await dispatchOf(tenant.tenantId, bookingId)).dueAt).toBeUndefined();
  });

  it('a paged technician accepts by the link (GET shows it and changes nothing, POST accepts); a forged link is 404', async () => {
    const { tenant, today } = await sundayLateMorning();
    const { bookingId, path } = await bookPaged(tenant);
    expect(path).toMatch(new RegExp(`^/v1/pages/${tenant.tenantId}\\.[A-Za-z0-9_-]{32}$`));
    // No sweep: the page, and the customer's "being dispatched" text, go at once (issue 19: due now goes now).
    const sent = async () => (await outboxFor(tenant.tenantId, bookingId)).map((m) => `${m.kind}:${m.to}`).sort();
    await drain('notify');
    expect(await sent()).toEqual(expect.arrayContaining(['emergency_dispatching:+15125550142', 'oncall_page:+15125552004']));
    const page = await fetch(`${inject('apiUrl')}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Accept/);
    expect((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.status).toBe('dispatching');
    const forged = await fetch(`${inject('apiUrl')}/v1/pages/${tenant.tenantId}.${'A'.repeat(32)}`, { method: 'POST', body: 'answer=accept' });
    expect(forged.status).toBe(404);
    expect(await answerLink(path)).toEqual({ outcome: 'accepted' });
    const booking = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(['confirmed', 'pending_crm_sync']).toContain(booking.status);
    expect(booking.window).toMatchObject({ date: today, technicianId: 'tech-04' });
    // The ETA too, once, with no sweep.
    await drain('notify');
    expect((await sent()).filter((m) => m.startsWith('emergency_eta:'))).toEqual(['emergency_eta:+15125550142']);
  });

  it("an accepted emergency claims the technician's capacity (the board shows it on them), reports the job it runs into, and starts the job trail once", async () => {
    const { tenant, today, other, underWay, next } = await overbookingMorning();
    const { bookingId, path } = await bookPaged(tenant);
    expect(await answerLink(path)).toEqual({ outcome: 'accepted' });
    // A retried link answer finds it done: nothing claimed twice.
    expect(await answerLink(path)).toEqual({ outcome: 'accepted' });

    const booking = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(['confirmed', 'pending_crm_sync']).toContain(booking.status);
    // The technician's capacity is claimed with the same items CommitSlot's holds own: minutes on the
    // counters of the windows the emergency keeps them busy in, except the other job's (the window
    // under way is full), and a technician-day token.
    const claims = (await storedClaims(tenant.tenantId)).filter((c) => c.bookingId === bookingId);
    expect(claims.every((c) => c.status === 'BOOKED')).toBe(true);
    expect(claims.filter((c) => c.kind === 'techDay').map((c) => c.sk)).toEqual([`SLOT#${today}#L#tech-04#2`]);
    const counters = claims.filter((c) => c.kind === 'counter').map((c) => c.sk);
    expect(counters).toContain(`SLOT#${today}#C#${next.start}#tech-04`);
    expect(counters.filter((sk) => sk.startsWith(`SLOT#${today}#C#${underWay.start}#`))).toEqual([]);
    // The booking's hold, by the key the booking names (the tenant's holds have no list: a Scan).
    const after = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).find((i) => i.sk === 'BOOKING')!;
    const [hold] = (await itemsWithPrefix(`T#${tenant.tenantId}#HOLD#${after.holdId}`)).filter((h) => h.sk === 'HOLD');
    expect(hold).toMatchObject({ bookingId, status: 'BOOKED', emergency: true });

    // The board shows the emergency on the technician who took it.
    const board = (await tenant.call('GET', `/v1/dispatch/board?date=${today}`)).body;
    const tech04 = board.technicians.find((t: { technicianId: string }) => t.technicianId === 'tech-04');
    expect(tech04.jobs.map((j: { bookingId: string }) => j.bookingId)).toContain(bookingId);

    // Dispatch hears which job the emergency runs into.
    const review = await tenant.call('GET', '/v1/review-items?kind=emergency_overbooked');
    const item = review.body.items.find((i: { subject: { id: string } }) => i.subject.id === bookingId);
    expect(item?.reason).toContain(other);

    // The job trail runs as for any confirmed booking: the technician kept (they accepted), the job texted to them.
    await expect
      .poll(
        async () =>
          ((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.timeline as Array<{ node: string; outcome: string }>)
            .filter((e) => ['AssignTechnician', 'NotifyTechnician'].includes(e.node))
            .map((e) => `${e.node}:${e.outcome}`),
        { timeout: 60_000, interval: 500 },
      )
      .toEqual(['AssignTechnician:kept', 'NotifyTechnician:queued']);
    const jobTexts = (await ledger(tenant.tenantId, bookingId)).filter((r) => r.kind === 'technician_job');
    expect(jobTexts.map((r) => r.technicianId)).toEqual(['tech-04']);
  });

  it('a retried accept after a crash right after the claim adds the "accepted" entry and the overbooking report, each once', async () => {
    const { tenant, other } = await overbookingMorning();
    const { bookingId, path } = await bookPaged(tenant);
    // The first acceptance dies right after its claim transaction (a kill -9 at that point).
    await expect(
      answerPage(tenant.tenantId, bookingId, 'tech-04', 'accept', new Date(), {
        afterClaim: () => {
          throw new Error('killed after the claim');
        },
      }),
    ).rejects.toThrow('killed after the claim');
    expect(['confirmed', 'pending_crm_sync']).toContain((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.status);

    // The technician taps the link again (and once more): the retry finishes what the crash left, once.
    expect(await answerLink(path)).toEqual({ outcome: 'accepted' });
    expect(await answerLink(path)).toEqual({ outcome: 'accepted' });
    const timeline = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.timeline as Array<{ node: string; outcome: string; detail?: any }>;
    const accepted = timeline.filter((e) => e.node === 'EmergencyDispatch' && e.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.detail).toMatchObject({ technicianId: 'tech-04', overbooked: true });
    const reports = (await tenant.call('GET', '/v1/review-items?kind=emergency_overbooked')).body.items.filter(
      (i: { subject: { id: string } }) => i.subject.id === bookingId,
    );
    expect(reports).toHaveLength(1);
    expect(reports[0].reason).toContain(other);
    expect((await dispatchOf(tenant.tenantId, bookingId)).overbookingReviewItemId).toBe(reports[0].reviewItemId);
    expect((await ledger(tenant.tenantId, bookingId)).filter((r) => r.kind === 'emergency_eta')).toHaveLength(1);
  });

  it('an emergency accepted late at night, outside every window, is on the board on the technician who took it, at its own time', async () => {
    // 23:xx local: after every arrival and after-hours window, so the claim is the technician-day token alone.
    const { tenant } = await sundayLateMorning({}, 23);
    const { bookingId, path } = await bookPaged(tenant);
    expect(await answerLink(path)).toEqual({ outcome: 'accepted' });
    const booking = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(['confirmed', 'pending_crm_sync']).toContain(booking.status);
    const { date, start, end, technicianId } = booking.window;
    const claims = (await storedClaims(tenant.tenantId)).filter((c) => c.bookingId === bookingId);
    expect(claims.map((c) => c.kind)).toEqual(['techDay']);

    const board = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    const theirs = board.technicians.find((t: { technicianId: string }) => t.technicianId === technicianId);
    expect(theirs.jobs.find((j: { bookingId: string }) => j.bookingId === bookingId)).toMatchObject({ start, end, windowStarts: [], minutes: {} });
    expect(board.unassigned.map((j: { bookingId: string }) => j.bookingId)).not.toContain(bookingId);
    // The planner leaves it where it is: no change names it.
    const plan = await tenant.call('POST', `/v1/dispatch/plan?date=${date}`);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body.changes.map((c: { jobId: string }) => c.jobId)).not.toContain(bookingId);
  });

  it('a routine jobTypeId with an emergency transcript takes the emergency path', async () => {
    const { tenant } = await sundayLateMorning();
    const request = bookingRequest({
      jobTypeId: 'plumbing-leak-repair',
      address: { line1: '5 Elm St', city: 'Austin', region: 'TX', postalCode: '78745', country: 'US' },
      transcript: [
        { role: 'agent', text: 'How can I help?' },
        { role: 'customer', text: 'I have a leak under the sink... oh no, the pipe burst, water is pouring' },
      ],
    });
    const booked = await book(tenant, request);
    expect(booked.status).toBe('dispatching');
    expect(booked.triage).toMatchObject({ intent: 'emergency', urgency: 'emergency' });
    const booking = (await tenant.call('GET', `/v1/bookings/${booked.bookingId}`)).body;
    expect(booking.timeline.find((e: { node: string }) => e.node === 'CheckCapacity').detail).toBeDefined();
  });

  it('an emergency booked into a window under way is told the technician arrives by its end, not the window', async () => {
    const zone = zoneAtLocalHour(11);
    const local = DateTime.now().setZone(zone);
    // The window under way started 30 minutes ago and ends in 90 (time enough to arrive).
    const underWay = { start: local.minus({ minutes: 30 }).toFormat('HH:mm'), end: local.plus({ minutes: 90 }).toFormat('HH:mm') };
    const tenant = await createTestTenant({
      timeZone: zone,
      arrivalWindows: [underWay, { start: underWay.end, end: local.plus({ minutes: 210 }).toFormat('HH:mm') }],
    });
    await everyDayShifts(tenant.tenantId);
    const booked = await book(tenant, burstPipe('78701'));
    expect(['confirmed', 'pending_crm_sync']).toContain(booked.status);
    expect(booked.window).toMatchObject({ start: underWay.start, end: underWay.end });
    await expect
      .poll(async () => (await ledger(tenant.tenantId, booked.bookingId)).map((r) => r.kind), { timeout: 30_000, interval: 500 })
      .toContain('confirmation_arriving_by');
    await sweepSubjects(tenant.tenantId, [booked.bookingId], new Date());
    const told = (await outboxFor(tenant.tenantId, booked.bookingId))
      .filter((m) => m.to === '+15125550142')
      .map((m) => m.text)
      .join('\n');
    const by = local.plus({ minutes: 90 });
    expect(told).toContain(`by ${by.toFormat(by.minute ? 'h:mm a' : 'h a')}.`);
    // Never the window's start ("between 10:30 and 12:53"): it has passed.
    const from = local.minus({ minutes: 30 });
    expect(told).not.toContain(from.toFormat(from.minute ? 'h:mm' : 'h a'));
  });

  it('an emergency at 11:45 is not placed in a 10-12 window that is almost over', async () => {
    const zone = zoneAtLocalHour(11);
    const local = DateTime.now().setZone(zone);
    // The window under way ends in 20 minutes (as 10-12 does at 11:40); the next starts then.
    const end = local.plus({ minutes: 20 }).toFormat('HH:mm');
    const next = local.plus({ minutes: 140 }).toFormat('HH:mm');
    const tenant = await createTestTenant({
      timeZone: zone,
      arrivalWindows: [
        { start: '08:00', end: '10:00' },
        { start: '10:00', end },
        { start: end, end: next },
      ],
    });
    await everyDayShifts(tenant.tenantId);
    const booked = await book(tenant, burstPipe('78701'));
    // Committed (a slow CRM write on a loaded machine leaves it pending_crm_sync, still committed).
    expect(['confirmed', 'pending_crm_sync']).toContain(booked.status);
    expect(booked.window).toMatchObject({ date: local.toISODate(), start: end, end: next });
  });
});
