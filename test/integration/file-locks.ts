/**
 * Integration files run in parallel against one local system (test/integration/global-setup.ts).
 * Most use their own tenants and nothing else; a few drive something every file shares: a queue they
 * drain by hand (pollOnce), a global sweep, a queue's depth. Two such files at once would take each
 * other's messages mid-assertion, so each names what it drives here and holds it while it runs
 * (test/integration/setup-env.ts): files that share a name take turns, all others run beside them.
 * Files that look at the whole system (global counts, sweeps with a clock moved ahead for every
 * tenant, a storm that fills the admission limits) run alone, after the parallel ones
 * (`SERIAL_FILES`, the `integration-serial` project in vitest.config.ts): they hold the `system` name
 * alone, every other integration file holds it shared (`systemLocksOf`). Unit and infra files hold
 * nothing: they run beside the serial files, on the cores those leave idle.
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
  'notify-requeue.test.ts', // the global sweeper a minute and more ahead of now
  // Not notify-sweep-shards: its burst and sweeps go to a table and a queue of its own.
  'recovery.test.ts', // the global recovery sweep and notification sweeps ahead of now
  // Hostile bursts beyond what the local system serves (429/503 for everyone meanwhile). Not the
  // attack-crash-* files: they burst and kill a system of their own (test/integration/crash-harness.ts),
  // and their other tests use their own tenants, so they run in the parallel phase (one child system at a time).
  'attack-!(crash-*).test.ts',
].map((file) => `test/integration/${file}`);

/**
 * What each parallel file drives that other files drive too: files sharing a name take turns. A file
 * named under `shared` may hold the name beside other `shared` files (they use the thing in ways that
 * do not disturb each other) but never beside an `exclusive` one, which holds it alone.
 */
const LOCKS: Record<string, { exclusive?: string[]; shared?: string[] }> = {
  // The notify queue. Every file that sends notifications drains the whole queue with the real worker
  // (lifecycle-helpers `drain`): it handles other files' messages as the event source mapping would,
  // and returns only when nothing is visible or in flight, so a file never asserts while another
  // file's drain still holds its message. Those files share the queue.
  notify: {
    shared: [
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
      'notify-due-now',
      'renewals',
      'staff-language',
      'two-way-sms',
    ],
    // Sends a queued confirmation itself with the worker as in AWS (no SMS provider): a drain by any
    // other file would send it locally first. One short test, on its own so the others wait briefly.
    exclusive: [
      'messages-setup',
      // Moves a job twice and only then drains: a drain by another file between the moves would send the first move's text.
      'notify-superseded',
    ],
  },
  // The notify DLQ: both put a message there, read its depth and move it back (one move task per DLQ
  // at a time; a move by the other would take the message before its depth is read).
  'notify-dlq': { exclusive: ['console.browser', 'review-queue'] },
  'crm-sync': { exclusive: ['crm-adapters', 'crm-outbox', 'leads', 'leads-crm', 'local-aws', 'reassign-slow-crm', 'review-queue'] },
  'crm-read-sync': { exclusive: ['console-crm.browser', 'crm-jobber', 'crm-webhooks'] },
  // Renewals runs for every tenant unless told which.
  renewals: { exclusive: ['payments', 'renewals'] },
  // A whole second local system in a child process (crash-harness.ts: DynamoDB Local's JVM, Node, the
  // Lambda workers), started and killed several times: one such system at a time on two cores.
  'child-system': { exclusive: ['crash', 'attack-crash-leads', 'attack-crash-plan-apply'] },
  // One browser at a time: each is a few hundred MB and CPU-heavy on two cores.
  browser: { exclusive: ['console.browser', 'console-crm.browser', 'console-messages.browser'] },
};

/**
 * The lock whose files add up to the longest run one after another: the three child-system files are
 * three of the four slowest (quiet run 2026-11-30: 77, 69 and 56 s, ~200 s in turn). vitest.config.ts
 * starts them with the run, spread over it, so the run does not end waiting for this chain.
 */
export const LONGEST_CHAIN = 'child-system';

/** A held name's mode: `name` alone, `name:shared` beside other sharers. */
const SHARED = ':shared';

/** The lock names a test file holds while it runs (`name` or `name:shared`). */
export function locksOf(filepath: string): string[] {
  const file = basename(filepath).replace(/\.test\.ts$/, '');
  return Object.entries(LOCKS)
    .flatMap(([name, { exclusive = [], shared = [] }]) => [...(exclusive.includes(file) ? [name] : []), ...(shared.includes(file) ? [`${name}${SHARED}`] : [])])
    .sort();
}

/** The vitest project of SERIAL_FILES (vitest.config.ts). */
export const SERIAL_PROJECT = 'integration-serial';
const SYSTEM = 'system';

/**
 * The name every integration file holds besides its own (`locksOf`): a serial file alone, every other
 * integration file shared, so a serial file starts once the parallel files it follows have ended and
 * none starts beside it. Unit and infra files (other projects) hold nothing.
 */
export function systemLocksOf(projectName: string): string[] {
  if (projectName === SERIAL_PROJECT) return [SYSTEM];
  return projectName.startsWith('integration') ? [`${SYSTEM}${SHARED}`] : [];
}

/** Whether two files' locks keep them apart (the same name, unless both only share it). */
export function locksCollide(a: string[], b: string[]): boolean {
  return a.some((lock) => b.some((other) => nameOf(lock) === nameOf(other) && !(isShared(lock) && isShared(other))));
}

const nameOf = (lock: string) => lock.replace(SHARED, '');
const isShared = (lock: string) => lock.endsWith(SHARED);

interface Waiter {
  names: string[];
  response: ServerResponse;
}

/** The lock server: grants a request's names all at once, first come first served per name. */
export async function startLockServer(): Promise<{ url: string; stop(): Promise<void> }> {
  // name -> how many hold it shared, or 'exclusive'.
  const held = new Map<string, number | 'exclusive'>();
  const waiting: Waiter[] = [];
  const free = (lock: string) => {
    const holders = held.get(nameOf(lock));
    return holders === undefined || (isShared(lock) && holders !== 'exclusive');
  };
  const take = (lock: string) => {
    const holders = held.get(nameOf(lock));
    held.set(nameOf(lock), isShared(lock) ? (typeof holders === 'number' ? holders : 0) + 1 : 'exclusive');
  };
  const release = (lock: string) => {
    const holders = held.get(nameOf(lock));
    if (typeof holders === 'number' && holders > 1) held.set(nameOf(lock), holders - 1);
    else held.delete(nameOf(lock));
  };
  const grant = () => {
    // A name an earlier waiter still waits for is not given to a later one (no overtaking: an
    // exclusive waiter is not starved by a stream of sharers).
    const claimed = new Set<string>();
    for (const waiter of [...waiting]) {
      if (waiter.names.every((lock) => free(lock) && !claimed.has(nameOf(lock)))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        for (const lock of waiter.names) take(lock);
        waiter.response.writeHead(200, { 'content-type': 'text/plain' });
        waiter.response.write('granted\n');
      } else {
        for (const lock of waiter.names) claimed.add(nameOf(lock));
      }
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const names = [...new Set((new URL(req.url ?? '/', 'http://locks').searchParams.get('names') ?? '').split(',').filter(Boolean))];
    const waiter: Waiter = { names, response: res };
    res.on('close', () => {
      const index = waiting.indexOf(waiter);
      if (index >= 0) waiting.splice(index, 1);
      else for (const lock of names) release(lock);
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
