/**
 * `jobrelay seed`: demo bookings through the API (cli/seed-data.ts), then the field's side of every
 * other confirmed job through the job events API, so the attribution report closes the loop.
 */
import type { Command } from 'commander';
import { ulid } from 'ulid';
import { type CliContext, call } from '../context';
import { positiveInt, withProgress } from '../format';
import { seedBooking, seedJobEvents } from '../seed-data';

export function registerSeed(program: Command, { io, settings, print }: CliContext): void {
  program
    .command('seed')
    .description('book demo jobs through the API: a spread of sources, campaigns, channels and job types')
    .option('--bookings <n>', 'how many', positiveInt, 12)
    .option('--no-lifecycle', 'leave the jobs booked (by default every other confirmed job is completed, invoiced and paid)')
    .action(async (options: { bookings: number; lifecycle: boolean }) => {
      const s = settings();
      const outcomes: Record<string, number> = {};
      const confirmed: string[] = [];
      const run = ulid();
      await withProgress(
        io,
        'Booking',
        Array.from({ length: options.bookings }, (_, i) => i),
        async (i) => {
          const response = await fetch(`${s.url}/v1/bookings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', 'idempotency-key': `seed-${run}-${i}` },
            body: JSON.stringify(seedBooking(i)),
          });
          const answer = (await response.json()) as { bookingId?: string; status?: string; error?: { code: string } };
          const outcome = answer.status ?? answer.error?.code ?? `HTTP ${response.status}`;
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          if (answer.status === 'confirmed' && answer.bookingId) confirmed.push(answer.bookingId);
        },
      );
      // The field's side, through the job events API (the status-events queue applies them in order):
      // every other confirmed job is dispatched, completed, invoiced and paid, so the report closes the loop.
      let paid = 0;
      if (options.lifecycle) {
        const jobs = confirmed.filter((_, i) => i % 2 === 0);
        await withProgress(io, 'Job events', jobs, async (bookingId) => {
          for (const [index, step] of seedJobEvents(bookingId).entries()) {
            await call(s, 'POST', `/v1/jobs/${encodeURIComponent(bookingId)}/events`, {
              eventId: `seed-${run}-${bookingId}-${step.type}`,
              type: step.type,
              occurredAt: new Date(Date.now() + index * 1_000).toISOString(),
              data: step.data,
            });
          }
          paid++;
        });
      }
      print(
        { outcomes, paidJobs: paid },
        () =>
          `Seeded ${options.bookings} bookings: ${Object.entries(outcomes)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}${paid ? `; ${paid} jobs sent through dispatched, completed, invoiced and paid` : ''}`,
      );
    });
}
