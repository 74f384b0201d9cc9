/**
 * The facts the bookings route hands a booking run (booking/create.ts), for tests that run the
 * spine's nodes in-process: the run's facts (booking/facts.ts readBookingFacts) with whom the caller's
 * phone and email claims name now, read as the route reads them (one consistent request).
 */
import { type BookingFacts, readBookingFacts } from '../../functions/booking/facts';
import { requireBookingRecord } from '../../functions/booking/store';
import { normalizeEmail, normalizePhone } from '../../functions/recognise/phone';
import { callerClaimKeys, claimOwnerOf } from '../../functions/recognise/store';
import { getItems } from '../../functions/shared/dynamo';

export async function routeFacts(tenantId: string, bookingId: string): Promise<BookingFacts> {
  const facts = await readBookingFacts(tenantId, bookingId);
  if (!facts) throw new Error(`booking ${bookingId}: no facts`);
  const { customer, address } = (await requireBookingRecord(tenantId, bookingId)).request;
  const phoneE164 = normalizePhone(customer.phone, address.country)!;
  const email = normalizeEmail(customer.email);
  const [phone, byEmail] = await getItems(callerClaimKeys(tenantId, { phoneE164, email }), { consistent: true });
  return { ...facts, claims: { phone: claimOwnerOf(phone) ?? null, ...(email ? { email: claimOwnerOf(byEmail) ?? null } : {}) } };
}
