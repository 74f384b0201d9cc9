/**
 * Issue 21: `GET /v1/availability?bookingId=` over a date range never lists the window the job is
 * in, on whichever page of the range it falls: the asked range (`from`-`to`) or the next range the
 * route looks at when the asked one is full (`nextAvailable`). The engine leaves it out
 * (capacity/engine.ts `except`), as it does for a refused reschedule's alternatives.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/shared/zoned-time';
import { bookingRequest, bookOnTechnician, nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

const full = nextWeekday(3, 3);
const own = addDays(full, 1);

function book(tenant: TestTenant, date: string, start: string, phone: string) {
  const base = bookingRequest({ jobTypeId: 'drain-30' });
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } });
}

const windows = (list: Array<{ date: string; start: string }>) => list.map((w) => `${w.date} ${w.start}`);

describe('GET /v1/availability?bookingId= over a range (issue 21)', () => {
  it("lists the job's own day without its own window, in the asked range and in nextAvailable", async () => {
    // One technician, one job a day: a day with a job is full for every other job.
    const tenant = await routePlumbingCompany([{ id: 'rg-solo', name: 'Sol Solo', postalCodes: ['78701'] }], { dailyJobLimit: 1 });
    await book(tenant, full, '10:00', '(512) 555-0351');
    const job = await book(tenant, own, '08:00', '(512) 555-0352');
    expect(job.window).toMatchObject({ date: own, start: '08:00' });
    const postalCode = bookingRequest().address.postalCode;
    const forAnyone = await tenant.call('GET', `/v1/availability?jobTypeId=drain-30&postalCode=${postalCode}&from=${own}&to=${own}`);
    expect(forAnyone.status, JSON.stringify(forAnyone.body)).toBe(200);
    expect(forAnyone.body).toMatchObject({ windows: [], reason: 'fully_booked' });

    // A range holding both days: the job's own day is open for it (its place given back), but for its own window.
    const range = await tenant.call('GET', `/v1/availability?bookingId=${job.bookingId}&from=${full}&to=${own}`);
    expect(range.status, JSON.stringify(range.body)).toBe(200);
    expect(windows(range.body.windows)).toEqual([`${own} 10:00`, `${own} 12:00`, `${own} 14:00`]);

    // The full day alone: nothing there, and the next page starts on the job's day, without its window.
    const page = await tenant.call('GET', `/v1/availability?bookingId=${job.bookingId}&from=${full}&to=${full}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body).toMatchObject({ windows: [], reason: 'fully_booked' });
    expect(windows(page.body.nextAvailable)).toEqual([`${own} 10:00`, `${own} 12:00`, `${own} 14:00`]);
  }, 300_000);
});
