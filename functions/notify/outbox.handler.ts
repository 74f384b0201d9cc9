/**
 * GET /v1/outbox: what the local outbox provider "sent", newest last, so a demo shows every message
 * that would have gone out. Filter by booking. It exists only where the outbox is in use: a tenant
 * whose SMS and email both leave through real providers gets 404, as if the route were not there.
 * Who may read it (a scope that can read messages) is declared with the route in functions/registry.ts.
 */
import { z } from '../shared/zod';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import type { Tenant } from '../tenant/model';
import { messagingSettings } from '../tenant/setup';
import { getTenant } from '../tenant/store';
import { listOutbox } from './store';

export const OutboxQuerySchema = z.object({
  bookingId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Whether any of the tenant's channels sends through the outbox provider (unset: outbox locally only). */
export function usesOutbox(tenant: Pick<Tenant, 'messaging'>): boolean {
  return messagingSettings(tenant, 'sms')?.provider === 'outbox' || messagingSettings(tenant, 'email')?.provider === 'outbox';
}

export const handler = apiRoute({ query: OutboxQuerySchema }, async ({ tenant, query }) => {
  const record = await getTenant(tenant.tenantId);
  if (!record || !usesOutbox(record)) throw new ApiError('not_found', 'No outbox: this account sends through its SMS and email providers');
  const messages = (await listOutbox(tenant.tenantId))
    .filter((m) => !query.bookingId || m.bookingId === query.bookingId)
    .slice(-query.limit)
    .map((m) => ({
      bookingId: m.bookingId,
      kind: m.kind,
      channel: m.channel,
      to: m.to,
      text: m.text,
      sentAt: m.sentAt,
      ...(m.technicianId ? { technicianId: m.technicianId } : {}),
    }));
  return { statusCode: 200, body: { messages } };
});
