/**
 * Issue 21: the reschedule a dispatch suggestion proposes is one the job's reschedule would get
 * (booking/moves.ts windowsToMoveTo): the job's own place counts as given back. A technician alone
 * in the trade with a daily limit of two has two jobs; running late on the first, the second is
 * proposed a later window of its own day (it already holds one of that day's two places), and
 * accepting the suggestion moves it there.
 */
import { describe, expect, it } from 'vitest';
import { reportLateEta } from './lifecycle-helpers';
import { bookingRequest, bookOnTechnician, nextWeekday, routePlumbingCompany } from './helpers';

describe('a dispatch suggestion counts the job its own place (issue 21)', () => {
  it("proposes a later window of the job's own day when its technician is at the daily limit, and accepting it moves the job there", async () => {
    const tenant = await routePlumbingCompany([{ id: 'sg-solo', name: 'Sol Solo', postalCodes: ['78701'] }], { dailyJobLimit: 2 });
    const date = nextWeekday(3, 3);
    const book = (start: string, phone: string) => {
      const base = bookingRequest({ jobTypeId: 'drain-30' });
      return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } });
    };
    const first = await book('08:00', '(512) 555-0291');
    const second = await book('10:00', '(512) 555-0292');
    expect(second.window).toMatchObject({ date, start: '10:00', technicianId: 'sg-solo' });

    // The technician reports an ETA at 10:40 for the first job: the second is at risk.
    await reportLateEta(tenant, first.bookingId, date, '10:40');

    const response = await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const reschedule = response.body.suggestions.find((s: any) => s.kind === 'reschedule');
    // Its own day, the next window after its own: the day's limit is two and it is one of the two.
    expect(reschedule, JSON.stringify(response.body.suggestions)).toMatchObject({ bookingId: second.bookingId, to: { date, start: '12:00' } });

    const accepted = await tenant.call('POST', `/v1/dispatch/suggestions/${reschedule.suggestionId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking.window).toMatchObject({ date, start: '12:00', technicianId: 'sg-solo' });
  }, 300_000);
});
