/** OpenAPI paths of emergency dispatch: an on-call technician's page link (GET and POST /v1/pages/{token}). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorSchema, json, registerRoute } from '../api/openapi-common';
import * as z from '../shared/zod';

const PageParamsSchema = z.object({ token: z.string().openapi({ description: 'The page token from the SMS (unguessable; it is the credential)' }) });
const AnswerSchema = z.object({ answer: z.enum(['accept', 'decline']) }).openapi('PageAnswer');

export function registerEmergencyPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'getPage', {
    summary: "An on-call technician's emergency page: the job type and area, with Accept and Decline (changes nothing)",
    request: { params: PageParamsSchema },
    responses: {
      200: { description: 'The page (HTML)', content: { 'text/html': { schema: z.string() } } },
      404: json(ErrorSchema, 'Not a valid or live page link'),
    },
  });
  registerRoute(registry, 'answerPage', {
    summary: 'Answer an emergency page: accept (the booking is confirmed with you and a same-day window) or decline (the next technician is paged)',
    request: {
      params: PageParamsSchema,
      body: { content: { 'application/x-www-form-urlencoded': { schema: AnswerSchema }, 'application/json': { schema: AnswerSchema } } },
    },
    responses: {
      200: json(
        z.object({ outcome: z.enum(['accepted', 'declined', 'taken', 'not_paged']) }),
        'What became of the answer (taken: another technician accepted first)',
      ),
      400: json(ErrorSchema, 'answer is not accept or decline'),
      404: json(ErrorSchema, 'Not a valid or live page link'),
    },
  });
}
