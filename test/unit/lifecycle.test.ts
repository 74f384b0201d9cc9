/** The job lifecycle transition table, its convergence property, effects planning and the renewal cadence. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planJobEffects } from '../../functions/lifecycle/plan';
import {
  allowedTransitions,
  applyJobEvent,
  canTransition,
  LIFECYCLE_STATES,
  replay,
  type JobEvent,
  type LifecycleState,
} from '../../functions/lifecycle/transitions';
import { noticeFor, renewalSteps } from '../../functions/renewals/cadence';

const t0 = Date.parse('2026-12-01T15:00:00Z');
const ev = (eventId: string, type: JobEvent['type'], minutes: number): JobEvent => ({
  eventId,
  type,
  occurredAt: new Date(t0 + minutes * 60_000).toISOString(),
});

describe('transition table', () => {
  it('walks booked -> dispatched -> en_route -> completed -> invoiced -> paid', () => {
    const events = [ev('e1', 'dispatched', 1), ev('e2', 'en_route', 2), ev('e3', 'completed', 3), ev('e4', 'invoiced', 4), ev('e5', 'paid', 5)];
    const end = replay(events);
    expect(end).toMatchObject({ state: 'paid', version: 5, lastEventId: 'e5' });
  });

  it('treats duplicates, older events and disallowed transitions as no-ops', () => {
    let job = replay([ev('e1', 'dispatched', 1), ev('e3', 'completed', 3)]);
    expect(applyJobEvent(job, ev('e1', 'dispatched', 1)).outcome).toBe('duplicate');
    expect(applyJobEvent(job, ev('e2', 'en_route', 2)).outcome).toBe('stale');
    expect(applyJobEvent(job, ev('e9', 'dispatched', 9)).outcome).toBe('invalid');
    job = replay([ev('e4', 'paid', 4)], job);
    expect(applyJobEvent(job, ev('e5', 'cancelled', 5)).outcome).toBe('invalid');
  });

  it('is transitively closed and terminal states go nowhere', () => {
    for (const a of LIFECYCLE_STATES) for (const b of allowedTransitions[a]) for (const c of allowedTransitions[b]) expect(canTransition(a, c)).toBe(true);
    expect(allowedTransitions.paid.size).toBe(0);
    expect(allowedTransitions.cancelled.size).toBe(0);
    expect(canTransition('completed', 'dispatched')).toBe(false);
  });

  /** A valid sequence: each event allowed from the previous state, strictly later, unique ids. */
  const validSequence = fc
    .array(fc.nat({ max: 100 }), { minLength: 1, maxLength: 12 })
    .map((choices) => {
      const events: JobEvent[] = [];
      let state: LifecycleState = 'booked';
      for (const [i, choice] of choices.entries()) {
        const options = [...allowedTransitions[state]].filter((s) => s !== 'booked') as JobEvent['type'][];
        if (!options.length) break;
        const next = options[choice % options.length]!;
        events.push(ev(`evt-${i}`, next, i + 1));
        state = next;
      }
      return events;
    })
    .filter((events) => events.length > 0);

  it('property: any permutation with duplicates of a valid sequence ends in the same state', () => {
    fc.assert(
      fc.property(
        validSequence.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray([...events, ...events, ...events], { minLength: events.length * 3, maxLength: events.length * 3 }),
            fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 10 }),
          ),
        ),
        ([events, shuffled, extra]) => {
          const delivered = [...shuffled, ...extra.map((i) => events[i]!)];
          const inOrder = replay(events);
          const any = replay(delivered);
          expect(any.state).toBe(inOrder.state);
          expect(any.lastEventId).toBe(inOrder.lastEventId);
          expect(any.lastEventAt).toBe(inOrder.lastEventAt);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('effects planning', () => {
  const tenant = { timeZone: 'America/Chicago', reviewRequestDelayHours: 3, paymentReminderDays: [3, 7, 14] };
  it('completed: thank-you now, review request after the delay, rebooking and maintenance by job type', () => {
    const plan = planJobEffects({
      state: 'completed',
      event: { eventId: 'e', type: 'completed', occurredAt: '2026-12-01T18:00:00Z', data: { equipmentNotes: 'Rheem 50 gal, 2019' } },
      booking: {},
      tenant,
      jobType: { name: 'HVAC maintenance visit', rebookAfterDays: 180, maintenanceIntervalMonths: 6 },
      channel: 'sms',
    });
    expect(plan.notifications.map((n) => [n.kind, n.dueAt])).toEqual([
      ['thank_you', '2026-12-01T18:00:00.000Z'],
      ['review_request', '2026-12-01T21:00:00.000Z'],
      ['rebooking_followup', '2027-05-30T15:00:00.000Z'],
      ['maintenance_due', '2027-05-18T15:00:00.000Z'],
    ]);
    expect(plan.fields).toMatchObject({ completedAt: '2026-12-01T18:00:00.000Z', nextMaintenanceDate: '2027-06-01' });
    expect(plan.customer?.visit).toMatchObject({ date: '2026-12-01', equipmentNotes: 'Rheem 50 gal, 2019' });
  });

  it('completed without a sale: the rebooking sequence at 2, 7 and 30 days; an invoice stops it', () => {
    const completed = planJobEffects({
      state: 'completed',
      event: { eventId: 'e', type: 'completed', occurredAt: '2026-12-01T18:00:00Z', data: { noSale: true } },
      booking: {},
      tenant,
      channel: 'sms',
    });
    expect(completed.notifications.filter((n) => n.kind.startsWith('no_sale')).map((n) => [n.kind, n.dueAt])).toEqual([
      ['no_sale_followup_1', '2026-12-03T16:00:00.000Z'],
      ['no_sale_followup_2', '2026-12-08T16:00:00.000Z'],
      ['no_sale_followup_3', '2026-12-31T16:00:00.000Z'],
    ]);
    const invoiced = planJobEffects({
      state: 'invoiced',
      event: { eventId: 'f', type: 'invoiced', occurredAt: '2026-12-05T18:00:00Z', data: {} },
      booking: {},
      tenant,
      channel: 'sms',
    });
    // The no-sale sequence stops; a visit already done has no reminders or arrival messages left either.
    expect(invoiced.cancelKinds).toEqual([
      'no_sale_followup_1',
      'no_sale_followup_2',
      'no_sale_followup_3',
      'reminder_48h',
      'reminder_day_of',
      'eta',
      'on_the_way',
    ]);
  });

  it('paid: cancels payment reminders, stores paid revenue and account status', () => {
    const plan = planJobEffects({
      state: 'paid',
      event: { eventId: 'e', type: 'paid', occurredAt: '2026-12-03T18:00:00Z', data: { amountCents: 20_000 } },
      booking: { invoicedAmountCents: 25_000 },
      tenant,
      channel: 'sms',
    });
    expect(plan.fields).toMatchObject({ paidAt: '2026-12-03T18:00:00.000Z', paidAmountCents: 20_000 });
    expect(plan.crmJob).toMatchObject({ accountStatus: 'balance_due', paidAt: '2026-12-03T18:00:00.000Z' });
    expect(plan.cancelKinds).toContain('payment_reminder');
  });
});

describe('renewal cadence', () => {
  const active = { status: 'active' as const, renewsOn: '2027-03-01', autoRenew: true, chargeAttempts: 0 };
  it('sends the notice of the band the day falls in', () => {
    expect(noticeFor(61)).toBeUndefined();
    expect(noticeFor(60)).toBe('renewal_60d');
    expect(noticeFor(31)).toBe('renewal_60d');
    expect(noticeFor(30)).toBe('renewal_30d');
    expect(noticeFor(7)).toBe('renewal_7d');
    expect(noticeFor(1)).toBe('renewal_7d');
    expect(noticeFor(0)).toBe('renewal_0d');
  });
  it('charges on the day, retries 1, 3 and 7 days later, then lapses', () => {
    expect(renewalSteps(active, '2027-03-01')).toEqual([
      { type: 'notice', kind: 'renewal_0d', cycle: '2027-03-01' },
      { type: 'charge', cycle: '2027-03-01', attempt: 0 },
    ]);
    const pastDue = { ...active, status: 'past_due' as const, chargeAttempts: 1 };
    expect(renewalSteps(pastDue, '2027-03-01')).toEqual([]);
    expect(renewalSteps(pastDue, '2027-03-02')).toEqual([{ type: 'charge', cycle: '2027-03-01', attempt: 1 }]);
    expect(renewalSteps({ ...pastDue, chargeAttempts: 2 }, '2027-03-03')).toEqual([]);
    expect(renewalSteps({ ...pastDue, chargeAttempts: 2 }, '2027-03-04')).toEqual([{ type: 'charge', cycle: '2027-03-01', attempt: 2 }]);
    expect(renewalSteps({ ...pastDue, chargeAttempts: 3 }, '2027-03-08')).toEqual([{ type: 'charge', cycle: '2027-03-01', attempt: 3 }]);
    expect(renewalSteps({ ...pastDue, chargeAttempts: 4 }, '2027-03-08')).toEqual([{ type: 'lapse', cycle: '2027-03-01' }]);
  });
});

describe('job event parsers (fuzz): bad input never crashes them', () => {
  it('JobEventBodySchema and WebhookJobEventSchema answer with a result for anything', async () => {
    const { JobEventBodySchema, WebhookJobEventSchema, StatusEventMessageSchema } = await import('../../functions/lifecycle/schemas');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ eventId: fc.string(), type: fc.constantFrom('dispatched', 'paid', 'x'), occurredAt: fc.string(), data: fc.anything() }),
        ),
        (input) => {
          for (const schema of [JobEventBodySchema, WebhookJobEventSchema, StatusEventMessageSchema])
            expect(typeof schema.safeParse(input).success).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
  it('applyJobEvent never throws on any event time string', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...LIFECYCLE_STATES.filter((s) => s !== 'booked')), (occurredAt, type) => {
        for (const job of [replay([]), replay([ev('a', 'dispatched', 1)])]) {
          expect(['applied', 'stale', 'invalid', 'duplicate']).toContain(
            applyJobEvent(job, { eventId: 'b', type: type as JobEvent['type'], occurredAt }).outcome,
          );
        }
      }),
    );
  });
});
