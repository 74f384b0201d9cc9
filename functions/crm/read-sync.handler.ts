/**
 * Routes of the CrmSetup Lambda (crm/setup.handler.ts serves them): `POST /v1/crm/sync` starts a read sync of the connected CRM's customers
 * (backfill, or incremental from the last finished run) and answers 202 with its status;
 * `GET /v1/crm/sync` is its progress (pages, customers, state, the error it waits on). Admin scope.
 * The pages run in CrmReadSyncWorker (crm/read-sync.ts).
 */
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { startCrmReadSync } from './read-sync';
import { StartCrmReadSyncRequestSchema } from './read-sync-schemas';
import { getReadSyncStatus } from './read-sync-store';

const start = apiRoute({ body: StartCrmReadSyncRequestSchema }, async ({ tenant, body }) => ({
  statusCode: 202,
  body: await startCrmReadSync(tenant.tenantId, body.mode, now()),
}));

const status = apiRoute({}, async ({ tenant }) => {
  const current = await getReadSyncStatus(tenant.tenantId);
  if (!current) throw new ApiError('not_found', 'No CRM sync has run: start one with POST /v1/crm/sync');
  const { cursor: _cursor, ...visible } = current;
  return { statusCode: 200, body: visible };
});

export const readSyncOperations = { startCrmSync: start, getCrmSync: status };
export const handler = routeOperations(readSyncOperations);
