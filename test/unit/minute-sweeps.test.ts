/**
 * The MinuteSweeps schedule runs the notification sweep and the emergency dispatch sweep in one
 * invocation (functions/ops/minute-sweeps.handler.ts): neither stops the other (a failing notification
 * sweep must not keep an emergency from paging the next technician), and a run where either failed
 * fails, so Lambda's retries and the alarmed async-targets DLQ see it.
 */
import { describe, expect, it } from 'vitest';
import { runMinuteSweeps } from '../../functions/ops/minute-sweeps.handler';

const at = new Date('2026-12-01T15:00:00Z');

describe('minute sweeps', () => {
  it('runs both sweeps at the same time and answers what each did', async () => {
    const seen: Date[] = [];
    const result = await runMinuteSweeps(at, {
      notifications: async (when) => {
        seen.push(when);
        return 3;
      },
      emergencies: async (when) => {
        seen.push(when);
        return 1;
      },
    });
    expect(result).toEqual({ queued: 3, moved: 1 });
    expect(seen).toEqual([at, at]);
  });

  it('a failing notification sweep still lets the emergency sweep finish, and the run fails', async () => {
    let paged = false;
    const run = runMinuteSweeps(at, {
      notifications: async () => {
        throw new Error('queue unavailable');
      },
      emergencies: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        paged = true;
        return 1;
      },
    });
    await expect(run).rejects.toThrow('a minute sweep failed');
    expect(paged).toBe(true);
  });

  it('a failing emergency sweep fails the run, after the notifications were queued', async () => {
    let queued = false;
    await expect(
      runMinuteSweeps(at, {
        notifications: async () => {
          queued = true;
          return 5;
        },
        emergencies: async () => {
          throw new Error('table throttled');
        },
      }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ message: 'table throttled' })] });
    expect(queued).toBe(true);
  });
});
