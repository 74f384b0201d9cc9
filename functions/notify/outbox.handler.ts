/**
 * What messages say. GET /v1/messages/catalogue: every kind with its recipient, channel rule,
 * variables and wording, rendered for a sample booking in English and Spanish with the tenant's own
 * templates; POST /v1/messages/preview: the same for templates not saved yet (each checked: an
 * unknown variable is a 400 naming it). GET /v1/outbox: what the local outbox provider "sent", newest last, so a demo shows every message
 * that would have gone out. Filter by booking. It exists only where the outbox is in use: a tenant
 * whose SMS and email both leave through real providers gets 404, as if the route were not there.
 * Who may read it (a scope that can read messages) is declared with the route in functions/registry.ts.
 */
import * as z from '../shared/zod';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import type { Tenant } from '../tenant/model';
import { getTenant } from '../tenant/store';
import { previewCatalogue } from './preview';
import { usesOutbox } from './providers/outbox';
import { MessageCatalogueQuerySchema, MessagePreviewRequestSchema } from './schemas';
import { listOutbox } from './store';

export const OutboxQuerySchema = z.object({
  bookingId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const listOutboxRoute = apiRoute({ query: OutboxQuerySchema }, async ({ tenant, query }) => {
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
      ...(m.subject ? { subject: m.subject } : {}),
      ...(m.language ? { language: m.language } : {}),
      sentAt: m.sentAt,
      ...(m.technicianId ? { technicianId: m.technicianId } : {}),
    }));
  return { statusCode: 200, body: { messages } };
});

async function tenantOf(tenantId: string): Promise<Tenant> {
  const record = await getTenant(tenantId);
  if (!record) throw new ApiError('not_found', 'No such account');
  return record;
}

export const handler = routeOperations({
  listOutbox: listOutboxRoute,
  getMessageCatalogue: apiRoute({ query: MessageCatalogueQuerySchema }, async ({ tenant, query }) => ({
    statusCode: 200,
    body: { items: await previewCatalogue(await tenantOf(tenant.tenantId), query.kind ? { kinds: [query.kind] } : {}) },
  })),
  previewMessages: apiRoute({ body: MessagePreviewRequestSchema }, async ({ tenant, body }) => ({
    statusCode: 200,
    body: { items: await previewCatalogue(await tenantOf(tenant.tenantId), { templates: body.templates, kinds: body.kinds }) },
  })),
});
