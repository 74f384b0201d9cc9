/**
 * GET and POST /v1/pages/{token}: an on-call technician's page link (public: the unguessable token is
 * the credential). GET shows the page, POST answers it (functions/emergency/page-link.ts).
 */
import { apiRoute } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { answerPageLink, showPage } from './page-link';

const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

const show = apiRoute({}, async ({ pathParameters }) => ({ statusCode: 200, body: await showPage(pathParameters.token ?? '', now()), headers: html }));

const answer = apiRoute({}, async ({ pathParameters, rawBody }) => {
  const token = pathParameters.token ?? '';
  const outcome = await answerPageLink(token, rawBody, now());
  return { statusCode: 200, body: { outcome } };
});

/** The page link's routes; the InboundSms Lambda serves them beside the SMS replies (the other way to answer a page). */
export const pageLinkOperations = { getPage: show, answerPage: answer };
export const handler = routeOperations(pageLinkOperations);
