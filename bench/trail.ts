/**
 * The trail's states: books a few jobs, waits for their trails, counts the states each entered, and
 * prints what they would cost as a Standard workflow ($25 per million state transitions), which the
 * trail was until issue 19; it is Express now (`npm run bench cost` prices both).
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../functions/shared/workflow-client';
import { trailExecutionName } from '../functions/trail/start';
import { DEMO_TENANT_ID, ensureApiKey, seedDemoTenant } from '../local/demo';
import type { LocalSystem } from '../local/runtime';
import { localExecutionArn } from '../local/stepfunctions';

const STANDARD_PRICE_PER_TRANSITION = 25 / 1_000_000;
const BOOKINGS = 5;

export async function benchTrail(system: LocalSystem): Promise<void> {
  await seedDemoTenant(DEMO_TENANT_ID);
  const apiKey = await ensureApiKey(DEMO_TENANT_ID);
  const counts: number[] = [];
  for (let i = 0; i < BOOKINGS; i++) {
    const response = await fetch(`${system.apiUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: { name: `Trail Bench ${i}`, phone: `512555${7000 + i}` },
        address: { line1: `${i} Trail St`, city: 'Austin', region: 'TX', postalCode: '78744' },
        jobTypeId: 'plumbing-water-heater-repair',
        channel: 'web',
        attribution: { source: 'bench' },
      }),
    });
    const booking = (await response.json()) as { bookingId: string; status: string };
    if (response.status !== 201) continue;
    const executionArn = localExecutionArn('jobTrail', trailExecutionName(booking.bookingId));
    for (let wait = 0; wait < 200; wait++) {
      const execution = await sfnClient()
        .send(new DescribeExecutionCommand({ executionArn }))
        .catch(() => undefined);
      if (execution && execution.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const transitions = system.sfn.stateTransitions(executionArn);
    if (transitions !== undefined) counts.push(transitions);
  }
  const average = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  console.log('\nJob trail states (were it Standard)\n');
  console.log(`trail state transitions per booking: ${average.toFixed(1)} (over ${counts.length} trails; every step has work: parts and checklist)`);
  console.log(`Standard transitions per 1,000 bookings: $${(average * 1000 * STANDARD_PRICE_PER_TRANSITION).toFixed(3)}`);
}
