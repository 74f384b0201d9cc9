/**
 * An on-call page's link (`/v1/pages/{token}`): the token is `<tenantId>.<secret>`, the secret 24
 * random bytes stored only as its SHA-256 (functions/emergency/store.ts), so a link cannot be
 * guessed and the table never holds it. GET shows the page with Accept / Decline buttons (a link
 * preview that fetches it changes nothing); POST `answer=accept|decline` answers it.
 */
import { ApiError } from '../shared/errors';
import { getJobType } from '../tenant/store';
import { getBookingRecord } from '../booking/store';
import { answerPage, type PageAnswerOutcome } from './accept';
import { findPageByToken, getDispatch, hashPageToken, type PageRef } from './store';

const TOKEN = /^([a-z0-9-]{3,40})\.([A-Za-z0-9_-]{32})$/;

async function pageOf(token: string, at: Date): Promise<PageRef> {
  const match = TOKEN.exec(token);
  // One answer for every failure: never a hint whether the tenant or the secret was wrong.
  const notFound = new ApiError('not_found', 'This page link is not valid or has expired', 'token');
  if (!match) throw notFound;
  const page = await findPageByToken(match[1]!, hashPageToken(match[2]!), at);
  if (!page) throw notFound;
  return page;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page as a technician sees it: the job type and area (no customer details), and the two answers. */
export async function showPage(token: string, at: Date): Promise<string> {
  const page = await pageOf(token, at);
  const [booking, dispatch] = await Promise.all([getBookingRecord(page.tenantId, page.bookingId), getDispatch(page.tenantId, page.bookingId)]);
  const jobType = booking ? await getJobType(page.tenantId, booking.jobTypeId) : undefined;
  const open = dispatch?.status === 'paging';
  const title = `EMERGENCY: ${escapeHtml(jobType?.name ?? 'job')} in ${escapeHtml(dispatch?.postalCode ?? '')}`;
  const body = open
    ? `<form method="post"><button name="answer" value="accept">Accept: I'm going</button> <button name="answer" value="decline">Decline</button></form>`
    : `<p>${dispatch?.acceptedBy === page.technicianId ? 'You accepted this job.' : 'This job is taken or closed.'}</p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

export async function answerPageLink(token: string, rawBody: string | undefined, at: Date): Promise<PageAnswerOutcome> {
  const page = await pageOf(token, at);
  const answer =
    new URLSearchParams(rawBody ?? '').get('answer') ?? (rawBody?.trim().startsWith('{') ? (JSON.parse(rawBody) as { answer?: string }).answer : undefined);
  if (answer !== 'accept' && answer !== 'decline') throw new ApiError('invalid_request', 'answer: expected accept or decline', 'answer');
  return answerPage(page.tenantId, page.bookingId, page.technicianId, answer, at);
}
