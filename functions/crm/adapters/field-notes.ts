/**
 * What the field needs to read before the visit, from the mapped fields (so the mapping table decides
 * what is written): access notes, the customer's own notes and their membership. Vendors without a
 * field for each (ServiceTitan bookings, Housecall Pro jobs) carry them as lines of the summary or note.
 */
import { CrmRejectedError } from '../../shared/errors';
const FIELD_NOTE_LINES: Array<[crmField: string, label: string]> = [
  ['access_notes', 'Access'],
  ['customer_notes', 'Customer notes'],
  ['membership', 'Member'],
];

export function fieldNotes(fields: Record<string, string | number | boolean>): string[] {
  return FIELD_NOTE_LINES.flatMap(([crmField, label]) => {
    const value = Object.hasOwn(fields, crmField) ? fields[crmField] : undefined;
    return value === undefined || value === '' ? [] : [`${label}: ${String(value)}`];
  });
}

/**
 * The caller of a lead booked since (state `lead_booked`) on a CRM whose lead record we have no
 * documented way to close through its API (Housecall Pro leads, Jobber requests, ServiceTitan
 * booking-provider bookings: no close/convert/dismiss call found first-hand). Nothing is written;
 * a person closes it, told which record and which booking served it (a crm_write_failed review
 * item about the lead). A lead that never reached the CRM has nothing to close.
 */
export function leadCloseByHand(
  vendor: string,
  record: string,
  id: string | undefined,
  write: { fields: Record<string, string | number | boolean> },
): { nothingToClose: true } {
  if (!id) return { nothingToClose: true };
  const booked = write.fields.booked_booking_id ? ` (booked as ${String(write.fields.booked_booking_id)})` : '';
  throw new CrmRejectedError(
    `${vendor}: the caller of ${record} ${id} booked${booked}; close that ${record} in ${vendor} by hand (JobRelay does not close it through the API)`,
  );
}

/**
 * A cancelled booking on ServiceTitan: its booking-provider booking (or the JPM job made for a known
 * customer) has no cancel or dismiss call we could confirm first-hand (a job cancel needs one of the
 * tenant's own cancel reason ids), so nothing is written and a person cancels it, told which record
 * and why (a crm_write_failed review item on the booking). A booking ServiceTitan never had: nothing.
 */
export function cancelByHand(
  vendor: string,
  record: string,
  id: string | undefined,
  write: { bookingId: string; fields: Record<string, string | number | boolean> },
): { nothingToCancel: true } {
  if (!id) return { nothingToCancel: true };
  const reason = write.fields.cancel_reason ? ` (${String(write.fields.cancel_reason)})` : '';
  throw new CrmRejectedError(
    `${vendor}: booking ${write.bookingId} was cancelled${reason}; cancel ${record} ${id} in ${vendor} by hand so no technician is sent (JobRelay cannot cancel it through the API)`,
  );
}
