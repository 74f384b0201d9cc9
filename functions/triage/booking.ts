/**
 * Triage for the booking spine: a booking that arrives without a job type gets one from what the
 * caller said, when triage is confident; otherwise 400 on `jobTypeId` with the triage answer so the
 * bot can ask (or hand over to a person). Never a guess. When triage sends the caller to a person
 * (low confidence) or it is an emergency with no job type to book, a `needs_triage` review item
 * keeps who called and what they said, so a dispatcher calls back even if the hand-over fails.
 */
import { createHash } from 'node:crypto';
import type { CreateBookingRequest, CreateBookingRequestInput } from '../booking/schemas';
import { recordTriageLead } from '../leads/record';
import { findOpenReviewItems, openReviewItem } from '../review/store';
import { ApiError } from '../shared/errors';
import { now } from '../shared/time';
import type { TriageAnswer } from './classify';
import { getJobType, getTenant } from '../tenant/store';
import { DEFAULT_TRIAGE_RULES } from './rules';
import { triageForTenant } from './triage';

export async function resolveJobType(tenantId: string, body: CreateBookingRequestInput): Promise<CreateBookingRequest> {
  if (body.jobTypeId) return heardEmergency(tenantId, { ...body, jobTypeId: body.jobTypeId });
  const text = [body.request, ...(body.transcript ?? []).filter((t) => t.role === 'customer').map((t) => t.text)].filter(Boolean).join('\n');
  if (!text.trim()) throw new ApiError('invalid_request', 'jobTypeId: give a job type, or what the caller asked for in request', 'jobTypeId');
  const [answer, tenant] = await Promise.all([triageForTenant(tenantId, text), getTenant(tenantId)]);
  const minConfidence = (tenant?.triage ?? DEFAULT_TRIAGE_RULES).minConfidence;
  const bookable = (answer.route === 'book_now' || answer.route === 'emergency_path') && answer.jobType && answer.jobType.confidence >= minConfidence;
  if (!bookable) {
    const kept = answer.route === 'human' || answer.route === 'emergency_path' ? await keepForCallBack(tenantId, body, text, answer) : undefined;
    const reviewItemId = kept?.reviewItemId;
    // Every caller becomes a lead: the hand-over to a person is one (its callback is that item).
    if (kept?.created) {
      await recordTriageLead(tenantId, body, { jobTypeId: answer.jobType?.jobTypeId, trade: answer.trade ?? undefined }, kept.reviewItemId, now());
    }
    throw new ApiError(
      'invalid_request',
      `jobTypeId: triage could not decide the job type (${answer.intent}, route ${answer.route}); ask the caller or hand over`,
      'jobTypeId',
      {
        triage: answer,
        ...(reviewItemId ? { reviewItemId } : {}),
      },
    );
  }
  // The answer stays with the booking: dispatch sees why this job type (and an emergency) was chosen.
  const triage = { intent: answer.intent, trade: answer.trade, urgency: answer.urgency, jobType: answer.jobType, reasons: answer.reasons, route: answer.route };
  return { ...body, jobTypeId: answer.jobType!.jobTypeId, triage, ...(answer.intent === 'emergency' ? { emergency: true } : {}) };
}

/** One open item per caller and request: a bot that retries the same request adds nothing. */
async function keepForCallBack(
  tenantId: string,
  body: CreateBookingRequestInput,
  text: string,
  answer: TriageAnswer,
  why?: string,
): Promise<{ reviewItemId: string; created: boolean }> {
  const subject = { type: 'request', id: createHash('sha256').update(`${body.customer.phone}\n${text}`).digest('hex').slice(0, 24) };
  const [open] = await findOpenReviewItems(tenantId, subject, 'needs_triage');
  if (open) return { reviewItemId: open.reviewItemId, created: false };
  const item = await openReviewItem(
    tenantId,
    {
      kind: 'needs_triage',
      reason:
        why ??
        (answer.intent === 'emergency'
          ? `Emergency (${answer.reasons.join(', ') || 'emergency words'}) with no job type to book: call the customer back now`
          : `Triage could not tell what the caller needs (${answer.intent}, confidence too low): call the customer back`),
      subject,
      payload: {
        customer: { name: body.customer.name, phone: body.customer.phone, ...(body.customer.email ? { email: body.customer.email } : {}) },
        address: body.address,
        channel: body.channel,
        request: text.slice(0, 2_000),
        triage: answer,
        ...(body.attribution ? { attribution: body.attribution } : {}),
      },
    },
    now(),
  );
  return { reviewItemId: item.reviewItemId, created: true };
}

/**
 * Triage runs on what the caller said whatever job type the bot chose: an emergency it hears (a
 * routine leak repair whose transcript ends "the pipe burst, water is pouring") takes the emergency
 * path. Triage's own emergency job type of the same trade replaces the bot's; an emergency of
 * another trade than the bot's job type stays an emergency of that job type and opens a
 * `needs_triage` review item naming why (a person checks who is sent).
 */
async function heardEmergency(tenantId: string, request: CreateBookingRequest): Promise<CreateBookingRequest> {
  const text = [request.request, request.notes, ...(request.transcript ?? []).filter((t) => t.role === 'customer').map((t) => t.text)]
    .filter(Boolean)
    .join('\n');
  if (!text.trim()) return request;
  const answer = await triageForTenant(tenantId, text);
  if (answer.intent !== 'emergency') return request;
  const [chosen, heard] = await Promise.all([
    getJobType(tenantId, request.jobTypeId),
    answer.jobType ? getJobType(tenantId, answer.jobType.jobTypeId) : Promise.resolve(undefined),
  ]);
  const triage = { intent: answer.intent, trade: answer.trade, urgency: answer.urgency, jobType: answer.jobType, reasons: answer.reasons, route: answer.route };
  const switchTo = heard?.emergency && chosen && heard.trade === chosen.trade ? heard.jobTypeId : request.jobTypeId;
  if (chosen && answer.trade && answer.trade !== chosen.trade) {
    await keepForCallBack(
      tenantId,
      request,
      text,
      answer,
      `Emergency heard (${answer.reasons.join(', ') || 'emergency words'}) in a ${answer.trade} request booked as ${chosen.jobTypeId} (${chosen.trade}): check the right trade is sent`,
    );
  }
  return { ...request, jobTypeId: switchTo, triage, emergency: true };
}
