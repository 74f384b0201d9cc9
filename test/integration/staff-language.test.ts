/**
 * Staff read their texts in their own language (issue 16): a technician's `language`, the
 * dispatcher's `dispatch.language` and the on-call manager's `dispatch.onCallManagerLanguage` pick
 * the catalogue's English or Spanish wording of the staff kinds (job texts, dispatcher alert, on-call
 * alert); the customer keeps theirs. A language we do not have is a 400 naming the field.
 */
import { describe, expect, it } from 'vitest';
import { putLedgerRows } from '../../functions/notify/store';
import { demoTenant } from '../../local/demo';
import { bookingRequest, createTestTenant, nextWeekday, type TestTenant } from './helpers';
import { deliverDue } from './lifecycle-helpers';

async function deliver(): Promise<void> {
  await deliverDue();
}

async function book(tenant: TestTenant) {
  const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ window: { date: nextWeekday(2, 4), start: '10:00' } }));
  expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
  await expect
    .poll(async () => (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body.status, { timeout: 60_000, interval: 500 })
    .toBe('confirmed');
  return (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
}

describe('staff messages in the staff member’s language', { timeout: 180_000 }, () => {
  it('a Spanish-speaking technician, dispatcher and on-call manager get Spanish texts; the customer keeps English', async () => {
    const tenant = await createTestTenant({
      dispatch: { ...demoTenant('any').dispatch, language: 'es', onCallManagerLanguage: 'es' },
    });
    const booking = await book(tenant);
    const technicianId = booking.window.technicianId as string;

    // The technician's language is set through the config API (and refused when we have no such wording).
    const technician = (await tenant.call('GET', '/v1/config/technicians')).body.items.find((t: { technicianId: string }) => t.technicianId === technicianId);
    const { technicianId: _id, tenantId: _tenant, ...input } = technician;
    const refused = await tenant.call('PUT', `/v1/config/technicians/${technicianId}`, { ...input, language: 'fr' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('language');
    expect((await tenant.call('PUT', `/v1/config/technicians/${technicianId}`, { ...input, language: 'es' })).status).toBe(200);

    const now = new Date().toISOString();
    await putLedgerRows(tenant.tenantId, booking.bookingId, [
      { kind: 'technician_assigned', channel: 'sms', dueAt: now, technicianId, version: 99 },
      { kind: 'dispatcher_alert', channel: 'sms', dueAt: now, version: 99 },
      { kind: 'manager_alert', channel: 'sms', dueAt: now, version: 99 },
    ]);
    await deliver();
    const outbox: Array<{ kind: string; text: string }> = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    const textOf = (kind: string) => outbox.find((m) => m.kind === kind)?.text ?? '';
    expect(textOf('technician_assigned')).toMatch(/^Trabajo nuevo: Drain clog para Jordan Rivera, \S+, \d+ de \S+/);
    expect(textOf('technician_assigned')).toContain('Historial:');
    expect(textOf('dispatcher_alert')).toMatch(/^Nueva reserva: Drain clog para Jordan Rivera/);
    expect(textOf('manager_alert')).toMatch(/^EMERGENCIA reservada: /);
    expect(textOf('confirmation')).toMatch(/^Hi Jordan, your Drain clog visit/);
  });
});
