/**
 * Triage for the booking spine: a booking that arrives without a job type gets one from what the
 * caller said, when triage is confident; otherwise 400 on `jobTypeId` with the triage answer so the
 * bot can ask (or hand over to a person). Never a guess.
 */
import type { CreateBookingRequest, CreateBookingRequestInput } from '../booking/schemas';
import { ApiError } from '../shared/errors';
import { getTenant } from '../tenant/store';
import { DEFAULT_TRIAGE_RULES } from './rules';
import { triageForTenant } from './triage';

export async function resolveJobType(tenantId: string, body: CreateBookingRequestInput): Promise<CreateBookingRequest> {
  if (body.jobTypeId) return { ...body, jobTypeId: body.jobTypeId };
  const text = [body.request, ...(body.transcript ?? []).filter((t) => t.role === 'customer').map((t) => t.text)].filter(Boolean).join('\n');
  if (!text.trim()) throw new ApiError('invalid_request', 'jobTypeId: give a job type, or what the caller asked for in request', 'jobTypeId');
  const [answer, tenant] = await Promise.all([triageForTenant(tenantId, text), getTenant(tenantId)]);
  const minConfidence = (tenant?.triage ?? DEFAULT_TRIAGE_RULES).minConfidence;
  const bookable = (answer.route === 'book_now' || answer.route === 'emergency_path') && answer.jobType && answer.jobType.confidence >= minConfidence;
  if (!bookable) {
    throw new ApiError('invalid_request', `jobTypeId: triage could not decide the job type (${answer.intent}, route ${answer.route}); ask the caller or hand over`, 'jobTypeId', {
      triage: answer,
    });
  }
  // The answer stays with the booking: dispatch sees why this job type (and an emergency) was chosen.
  const triage = { intent: answer.intent, trade: answer.trade, urgency: answer.urgency, jobType: answer.jobType, reasons: answer.reasons, route: answer.route };
  return { ...body, jobTypeId: answer.jobType!.jobTypeId, triage, ...(answer.intent === 'emergency' ? { emergency: true } : {}) };
}
