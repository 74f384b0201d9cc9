/**
 * A technician's SMS answer to an on-call page ("YES 123", "NO"), called first by the inbound SMS
 * webhook (notify/inbound-sms.handler.ts). Handled only when the sender is a technician with a live
 * page and the text is a page answer; anything else is left to the webhook's own routing.
 */
import { normalizePhone } from '../recognise/phone';
import { listTechnicians } from '../tenant/store';
import type { Tenant } from '../tenant/model';
import { answerPage, type PageAnswerOutcome } from './accept';
import { parsePageReply } from './plan';
import { listPagesOf } from './store';

export async function answerPageReply(
  tenant: Pick<Tenant, 'tenantId' | 'country'>,
  from: string,
  body: string,
  at: Date,
): Promise<{ handled: false } | { handled: true; outcome: PageAnswerOutcome }> {
  const reply = parsePageReply(body);
  const phone = normalizePhone(from, tenant.country);
  if (!reply || !phone) return { handled: false };
  const technician = (await listTechnicians(tenant.tenantId)).find((t) => t.phone && normalizePhone(t.phone, tenant.country) === phone);
  if (!technician) return { handled: false };
  const pages = await listPagesOf(tenant.tenantId, technician.technicianId, at);
  // The code picks the emergency; without one, the latest page is meant.
  const page = reply.code ? pages.find((p) => p.code === reply.code) : pages[0];
  if (!page) return { handled: false };
  return { handled: true, outcome: await answerPage(tenant.tenantId, page.bookingId, technician.technicianId, reply.answer, at) };
}
