/**
 * A lead as the API shows it: the lead's own facts, with the attribution, channel and transcript of
 * the booking request it came from (that booking owns them; a lead without one carries its own).
 */
import { getBookingRecord } from '../booking/store';
import type { Lead, LeadRecord } from './schemas';

export async function toLeadViews(tenantId: string, leads: LeadRecord[]): Promise<Lead[]> {
  return Promise.all(
    leads.map(async (lead) => {
      const booking = lead.bookingId ? await getBookingRecord(tenantId, lead.bookingId) : undefined;
      const attribution = lead.attribution ?? booking?.attribution;
      const channel = lead.channel ?? booking?.channel;
      const transcript = lead.transcript ?? booking?.request.transcript;
      return { ...lead, ...(attribution ? { attribution } : {}), ...(channel ? { channel } : {}), ...(transcript ? { transcript } : {}) };
    }),
  );
}
