/** OpenAPI paths of triage (POST /v1/triage). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { TriageAnswerSchema, TriageRequestSchema } from './schemas';

export function registerTriagePaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'triage', {
    summary: 'Classify what a caller said: intent, trade, urgency, job type and confidence, the deciding phrases, and where it goes',
    security,
    request: { body: json(TriageRequestSchema, 'What the caller said') },
    responses: {
      200: json(TriageAnswerSchema, 'The triage answer'),
      ...standardErrors,
    },
  });
}
