/**
 * POST /v1/triage: classify what a caller said (intent, trade, urgency, job type with confidence,
 * the deciding phrases) and say where it goes. Low confidence goes to a person with the context.
 */
import { apiRoute } from '../shared/http';
import { TriageRequestSchema } from './schemas';
import { triageForTenant } from './triage';

export const handler = apiRoute({ body: TriageRequestSchema }, async ({ tenant, body }) => {
  const answer = await triageForTenant(tenant.tenantId, body.text);
  return { statusCode: 200, body: { ...answer, channel: body.channel, ...(body.callerNumber ? { callerNumber: body.callerNumber } : {}) } };
});
