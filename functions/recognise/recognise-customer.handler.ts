/** Booking node RecogniseCustomer: reuse the customer whose phone matches, else create one. */
import { ulid } from 'ulid';
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { InvariantError } from '../shared/errors';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { normalizeEmail, normalizePhone } from './phone';
import { createCustomerClaimingPhone, enrichCustomer, findCustomerIdByPhone } from './store';

export const handler = workflowNode('RecogniseCustomer', async ({ tenantId, bookingId }) => {
  const booking = await requireBookingRecord(tenantId, bookingId);
  // Re-entry (a retried request): the customer was already settled.
  if (booking.customerId) return { customerId: booking.customerId, matched: true };

  const at = now();
  const { customer, address } = booking.request;
  const phoneE164 = normalizePhone(customer.phone, address.country);
  if (!phoneE164) throw new InvariantError('The booking phone number is not a valid number');
  const email = normalizeEmail(customer.email);

  let customerId = await findCustomerIdByPhone(tenantId, phoneE164);
  let matched = Boolean(customerId);
  if (customerId) {
    await enrichCustomer(tenantId, customerId, { email, address }, at);
  } else {
    const created = await createCustomerClaimingPhone({
      tenantId,
      customerId: ulid(),
      name: customer.name,
      phoneE164,
      email,
      addresses: [address],
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    });
    customerId = created.customerId;
    matched = !created.created;
  }

  await updateBooking(tenantId, bookingId, { customerId }, { at });
  await appendTimeline(tenantId, bookingId, 'RecogniseCustomer', matched ? 'matched' : 'created', { customerId }, at);
  return { customerId, matched };
});
