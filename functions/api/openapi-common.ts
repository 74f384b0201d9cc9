/** Pieces every module's OpenAPI paths share: the one error shape, JSON bodies, auth. */
import { z } from '../shared/zod';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
    }),
  })
  .openapi('Error');

/** A JSON response (or body) of this schema. */
export const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

/** Every route but the public documents takes a tenant API key. */
export const security = [{ apiKey: [] }];

/** The answers every authenticated route can give besides its own: bad input, no key, wrong scope. */
export const standardErrors = {
  400: json(ErrorSchema, 'Invalid request: `error.field` names the field'),
  401: json(ErrorSchema, 'Missing or unknown API key'),
  403: json(ErrorSchema, 'The key lacks the scope'),
};
