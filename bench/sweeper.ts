/**
 * Notification throughput: bookings fill the ledger (confirmations, and the trail's technician and
 * dispatch messages), then one sweep queues everything due and the NotifyWorker drains the local
 * notify queue in 10-message batches. Prints messages per second for the sweep, the sends, and both.
 */
import { queues } from '../functions/registry';
import { sweepDueNotifications } from '../functions/notify/sweep';
import { ensureApiKey, seedDemoTenant } from '../local/demo';
import { pollOnce } from '../local/pollers';
import type { LocalSystem } from '../local/runtime';
import { runPool } from './common';

const TENANT = 'bench-sweeper';
const BOOKINGS = Number(process.env.BENCH_SWEEPER_BOOKINGS ?? 60);

export async function benchSweeper(system: LocalSystem): Promise<void> {
  await seedDemoTenant(TENANT);
  const apiKey = await ensureApiKey(TENANT);
  const postalCodes = ['78701', '78702', '78704', '78744', '78745', '78759', '78721', '78722'];
  await runPool(
    Array.from({ length: BOOKINGS }, (_, i) => i),
    8,
    async (i) => {
      await fetch(`${system.apiUrl}/v1/bookings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          customer: { name: `Sweep Bench ${i}`, phone: `512555${String(5000 + i)}` },
          address: { line1: `${i} Sweep St`, city: 'Austin', region: 'TX', postalCode: postalCodes[i % postalCodes.length] },
          jobTypeId: i % 2 ? 'hvac-ac-repair' : 'plumbing-drain-clog',
          channel: 'chat',
          attribution: { source: 'bench' },
        }),
      });
    },
  );
  // Let the asynchronous trails write their staff messages.
  await new Promise((r) => setTimeout(r, 3_000));

  const sweepStarted = performance.now();
  let queued = 0;
  for (let n = await sweepDueNotifications(new Date()); n > 0; n = await sweepDueNotifications(new Date())) queued += n;
  const sweepMs = performance.now() - sweepStarted;

  const notify = queues.find((q) => q.name === 'notify')!;
  const sendStarted = performance.now();
  let sent = 0;
  for (let n = await pollOnce(system.sqs, notify, 0); n > 0; n = await pollOnce(system.sqs, notify, 0)) sent += n;
  const sendMs = performance.now() - sendStarted;

  console.log('\nNotification sweeper and sender (local notify queue)\n');
  console.log(`swept ${queued} due messages in ${sweepMs.toFixed(0)} ms: ${((queued / sweepMs) * 1000).toFixed(0)} messages/s queued`);
  console.log(`sent ${sent} in ${sendMs.toFixed(0)} ms (one worker, 10-message batches): ${((sent / sendMs) * 1000).toFixed(0)} messages/s`);
  console.log(`end to end (sweep + send): ${((sent / (sweepMs + sendMs)) * 1000).toFixed(0)} messages/s`);
}
