/**
 * Integration files run in parallel against one local system (test/integration/global-setup.ts).
 * Most use their own tenants and nothing else; a few drive something every file shares: a queue they
 * drain by hand (pollOnce), a global sweep, a queue's depth. Two such files at once would take each
 * other's messages mid-assertion, so each names what it drives here and holds it while it runs
 * (test/integration/setup-env.ts): files that share a name take turns, all others run beside them.
 * Files that look at the whole system (global counts, sweeps with a clock moved ahead for every
 * tenant, a storm that fills the admission limits) run alone, after the parallel ones
 * (`SERIAL_FILES`, the `integration-serial` project in vitest.config.ts).
 *
 * A lock is held by an open HTTP request to the lock server in the vitest main process: released
 * when the file ends, or when its worker dies (the connection closes), so a crash cannot wedge a run.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename } from 'node:path';

/** Files (globs) that see the whole system: run one at a time after every other integration file. */
export const SERIAL_FILES = [
  'admission.test.ts', // fills the admission limits
  'booking-storm.test.ts', // 200 bookings in flight
  // Takes the read-sync queue's messages one at a time and expects its own: in the parallel run (under
  // its lock) its first poll found nothing twice (2026-11-30, cause not found), so it runs alone.
  'crm-read-sync.test.ts',
  'failed-messages.test.ts', // the notify queue's depth is 0
  'messaging.test.ts', // the global sweeper with a clock days ahead
  'notifications.test.ts', // the global sweeper at a visit's morning
  'notify-sweep-shards.test.ts', // counts what the global sweeper queues
  'recovery.test.ts', // the global recovery sweep and notification sweeps ahead of now
  'attack-*.test.ts', // hostile bursts beyond what the local system serves (429/503 for everyone meanwhile)
].map((file) => `test/integration/${file}`);

/** What each parallel file drives that other files drive too: files sharing a name take turns. */
const LOCKS: Record<string, string[]> = {
  // Drain the notify queue (pollOnce) or sweep due notifications now, then assert on what was sent.
  notify: [
    // Compares a tenant's items before and after hostile calls: another file's drain would send its
    // booking's confirmation in between.
    'access',
    'booking-changes',
    'booking-correctness',
    'console.browser',
    'dispatch-delay',
    'dispatch-suggestions',
    'emergency',
    'job-trail',
    'leads',
    'lifecycle',
    'members',
    'messages-wording',
    // Sends a queued confirmation itself (as the worker in AWS): a drain by another file would send it first.
    'payments',
    'renewals',
    'review-queue',
    'staff-language',
    'two-way-sms',
  ],
  'status-events': ['console.browser', 'dispatch-delay', 'dispatch-suggestions', 'fsm-events', 'leads-callers', 'lifecycle', 'members', 'review-queue'],
  'crm-sync': ['crm-adapters', 'crm-outbox', 'leads', 'leads-crm', 'local-aws', 'review-queue'],
  'crm-read-sync': ['console-crm.browser', 'crm-jobber', 'crm-webhooks'],
  // Renewals runs for every tenant unless told which.
  renewals: ['payments', 'renewals'],
  // One browser at a time: each is a few hundred MB and CPU-heavy on two cores.
  browser: ['console.browser', 'console-crm.browser', 'console-messages.browser'],
};

/** The lock names a test file holds while it runs. */
export function locksOf(filepath: string): string[] {
  const file = basename(filepath).replace(/\.test\.ts$/, '');
  return Object.entries(LOCKS)
    .filter(([, files]) => files.includes(file))
    .map(([name]) => name)
    .sort();
}

interface Waiter {
  names: string[];
  response: ServerResponse;
}

/** The lock server: grants a request's names all at once, first come first served per name. */
export async function startLockServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const held = new Set<string>();
  const waiting: Waiter[] = [];
  const grant = () => {
    const claimed = new Set<string>();
    for (const waiter of [...waiting]) {
      if (waiter.names.every((name) => !held.has(name) && !claimed.has(name))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        for (const name of waiter.names) held.add(name);
        waiter.response.writeHead(200, { 'content-type': 'text/plain' });
        waiter.response.write('granted\n');
      } else {
        for (const name of waiter.names) claimed.add(name);
      }
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const names = [...new Set((new URL(req.url ?? '/', 'http://locks').searchParams.get('names') ?? '').split(',').filter(Boolean))];
    const waiter: Waiter = { names, response: res };
    res.on('close', () => {
      const index = waiting.indexOf(waiter);
      if (index >= 0) waiting.splice(index, 1);
      else for (const name of names) held.delete(name);
      grant();
    });
    waiting.push(waiter);
    grant();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits until every name is this caller's; resolves with the release. */
export function acquireLocks(url: string, names: string[]): Promise<() => void> {
  if (!names.length) return Promise.resolve(() => undefined);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/?names=${encodeURIComponent(names.join(','))}`, { agent: false });
    req.once('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`lock server answered ${res.statusCode}`));
      resolve(() => req.destroy());
    });
    req.once('error', reject);
    req.end();
  });
}
