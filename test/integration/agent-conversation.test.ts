/**
 * The example conversation (examples/agent/conversation.ts) end to end, through two front doors: the
 * MCP SDK client and Vapi's tool-calls endpoint. A returning customer, a new trade, a window taken
 * by someone else during the call, then booked; asserted on what the local services hold: the
 * booking, the customer record, the messages and the CRM write.
 */
import { describe, expect, it } from 'vitest';
import { bookByConversation, type CallTool } from '../../examples/agent/conversation';
import { bookingRequest, createTestTenant, itemsWithPrefix, partitionItems, type TestTenant } from './helpers';
import { mcpCallTool, mcpClient, vapiCallTool } from './agent-helpers';

/** The other caller: takes every technician's capacity in that window (holds through the HTTP API). */
function someoneElse(tenant: TestTenant, jobTypeId: string, postalCode: string) {
  return {
    async someoneElseTakes(window: { date: string; start: string; capacity?: number }) {
      for (let i = 0; i < (window.capacity ?? 1); i++) {
        const taken = await tenant.call('POST', '/v1/holds', { jobTypeId, postalCode, window: { date: window.date, start: window.start } });
        expect(taken.status, JSON.stringify(taken.body)).toBe(201);
      }
    },
  };
}

async function converse(tenant: TestTenant, callTool: CallTool) {
  // An earlier visit: the caller is on file (a plumbing job), and calls now about the AC.
  const earlier = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': 'earlier-visit' });
  expect(earlier.status, JSON.stringify(earlier.body)).toBe(201);

  const result = await bookByConversation(callTool, someoneElse(tenant, 'hvac-ac-repair', '78701'));

  // Returning customer, new trade.
  expect(result.lookup.data).toMatchObject({ match: 'matched', customer: { customerId: earlier.body.customerId, name: 'Jordan Rivera' } });
  expect(result.triage.data).toMatchObject({ trade: 'hvac', jobType: { jobTypeId: 'hvac-ac-repair' } });
  // The first choice was taken during the call: the agent heard what is open instead.
  expect(result.taken.isError).toBe(true);
  expect(result.taken.text).toMatch(/^That window was just taken; these? .* open: /);
  const alternative = result.taken.data.alternatives[0];
  expect(alternative).not.toMatchObject({ date: result.firstChoice.date, start: result.firstChoice.start });
  expect(result.hold.data).toMatchObject({ status: 'HELD', window: { date: alternative.date, start: alternative.start } });

  // The booking: exactly the held window, the same customer, the conversation kept.
  expect(result.booking.isError, result.booking.text).toBe(false);
  const booking = result.booking.data;
  expect(booking).toMatchObject({
    status: 'confirmed',
    jobTypeId: 'hvac-ac-repair',
    channel: 'voice',
    customerId: earlier.body.customerId,
    window: { date: alternative.date, start: alternative.start, technicianId: result.hold.data.window.technicianId },
  });
  const held = await tenant.call('GET', `/v1/holds/${result.hold.data.holdId}`);
  expect(held.body.status).toBe('BOOKED');

  // One customer record: the caller was recognised, never created twice.
  const customers = (await itemsWithPrefix(`T#${tenant.tenantId}#CUSTOMER#`)).filter((item) => item.sk === 'PROFILE');
  expect(customers.map((item) => item.customerId)).toEqual([earlier.body.customerId]);
  const again = await callTool('lookup_customer', { phone: '+1 512 555 0142' });
  expect(again.data.customer.customerId).toBe(earlier.body.customerId);

  // The messages: the confirmation is in the notification ledger for this booking.
  const ledger = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${booking.bookingId}`)).filter((item) => item.sk.startsWith('NOTIFY#'));
  expect(ledger.map((row) => row.kind)).toContain('confirmation');

  // The CRM write: the job with the voice channel and the conversation as its note.
  const crm = await partitionItems(`T#${tenant.tenantId}#CRM`);
  const job = crm.find((item) => item.sk === `JOB#${booking.bookingId}`);
  expect(job).toMatchObject({ dealStage: 'Booked', fields: { customer_phone: '+15125550142', channel: 'voice' } });
  expect(job!.transcriptNote).toContain('customer: Hi, it');
  return result;
}

describe('examples/agent: a conversation that books', () => {
  it('through the MCP SDK client', async () => {
    const tenant = await createTestTenant();
    const client = await mcpClient(tenant.apiKey);
    try {
      await converse(tenant, mcpCallTool(client));
    } finally {
      await client.close();
    }
  }, 60_000);

  it('through the Vapi tool-calls endpoint', async () => {
    const tenant = await createTestTenant();
    const result = await converse(tenant, vapiCallTool(tenant.apiKey));
    expect(result.transcript.at(-1)!.text).toContain("You'll get a text confirmation shortly.");
  }, 60_000);
});
