/** POST /v1/triage: what the caller said in, intent / urgency / job type / route out. */
import { CHANNELS } from '../booking/channels';
import * as z from '../shared/zod';
import { INTENTS, ROUTES, URGENCIES } from './classify';

export const TriageRequestSchema = z
  .object({
    text: z.string().max(10_000).openapi({ example: "my water heater is leaking and there's no hot water" }),
    channel: z.enum(CHANNELS),
    callerNumber: z.string().trim().max(32).optional(),
  })
  .openapi('TriageRequest');
export type TriageRequest = z.infer<typeof TriageRequestSchema>;

export const TriageAnswerSchema = z
  .object({
    intent: z.enum(INTENTS),
    trade: z.string().nullable(),
    urgency: z.enum(URGENCIES),
    jobType: z.object({ jobTypeId: z.string(), confidence: z.number().min(0).max(1) }).nullable(),
    reasons: z.array(z.string()).openapi({ description: 'The phrases that decided it' }),
    route: z.enum(ROUTES).openapi({ description: 'Where the request should go; low confidence goes to a person (human), never to a guess' }),
    temperatures: z.array(z.object({ value: z.number(), outdoor: z.boolean() })).optional(),
    channel: z.enum(CHANNELS).optional(),
    callerNumber: z.string().optional(),
  })
  .openapi('TriageAnswer');
