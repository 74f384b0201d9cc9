/** The local ticker follows the registry's schedule expressions as EventBridge Scheduler does. */
import { describe, expect, it } from 'vitest';
import { schedules } from '../../functions/registry';
import { isDue } from '../../local/ticker';

const at = (iso: string) => new Date(iso);

describe('local ticker: isDue', () => {
  it('rate(1 minute) runs on every tick', () => {
    expect(isDue('rate(1 minute)', at('2027-01-04T10:00:00Z'), at('2027-01-04T10:00:01Z'))).toBe(true);
  });

  it('rate(5 minutes) runs once five minutes have passed', () => {
    expect(isDue('rate(5 minutes)', at('2027-01-04T10:00:00Z'), at('2027-01-04T10:04:59Z'))).toBe(false);
    expect(isDue('rate(5 minutes)', at('2027-01-04T10:00:00Z'), at('2027-01-04T10:05:00Z'))).toBe(true);
  });

  it('cron(0 * * * ? *) runs when the top of an hour passed since the last run, once', () => {
    const expression = 'cron(0 * * * ? *)';
    expect(isDue(expression, at('2027-01-04T09:59:30Z'), at('2027-01-04T10:00:10Z'))).toBe(true);
    expect(isDue(expression, at('2027-01-04T10:00:10Z'), at('2027-01-04T10:01:10Z'))).toBe(false);
    expect(isDue(expression, at('2027-01-04T10:01:10Z'), at('2027-01-04T10:59:59Z'))).toBe(false);
    // A ticker that slept through several hours runs it once, not once per hour missed.
    expect(isDue(expression, at('2027-01-04T06:30:00Z'), at('2027-01-04T10:30:00Z'))).toBe(true);
  });

  it('cron(15 * * * ? *) runs at a quarter past', () => {
    expect(isDue('cron(15 * * * ? *)', at('2027-01-04T10:14:00Z'), at('2027-01-04T10:15:00Z'))).toBe(true);
    expect(isDue('cron(15 * * * ? *)', at('2027-01-04T10:15:00Z'), at('2027-01-04T11:14:59Z'))).toBe(false);
  });

  it('refuses an expression it cannot follow, and understands every registry schedule', () => {
    expect(() => isDue('cron(0 9 * * ? *)', at('2027-01-04T10:00:00Z'), at('2027-01-04T10:00:00Z'))).toThrow(/not understood/);
    for (const schedule of schedules) expect(() => isDue(schedule.expression, new Date(), new Date())).not.toThrow();
  });
});
