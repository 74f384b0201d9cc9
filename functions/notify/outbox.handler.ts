/**
 * GET /v1/outbox: what the local outbox provider "sent" (the default provider), newest last, so a
 * demo shows every message that would have gone out. Filter by booking.
 */
import { z } from '../shared/zod';
import { apiRoute } from '../shared/http';
import { listOutbox } from './store';

export const OutboxQuerySchema = z.object({
  bookingId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const handler = apiRoute({ query: OutboxQuerySchema }, async ({ tenant, query }) => {
  const messages = (await listOutbox(tenant.tenantId))
    .filter((m) => !query.bookingId || m.bookingId === query.bookingId)
    .slice(-query.limit)
    .map((m) => ({
      bookingId: m.bookingId, kind: m.kind, channel: m.channel, to: m.to, text: m.text, sentAt: m.sentAt,
      ...(m.technicianId ? { technicianId: m.technicianId } : {}),
    }));
  return { statusCode: 200, body: { messages } };
});
