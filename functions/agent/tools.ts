/**
 * The agent's tools, in one table: each tool is a route of the HTTP API (same zod schema, same scopes,
 * same use case) with a name and a description an LLM reads, how its arguments become the route's
 * request, and how the route's answer is said aloud. Three front doors serve this table: MCP
 * (`/v1/mcp`), Vapi (`/v1/voice/vapi/tool-calls`) and Retell (`/v1/voice/retell/functions`); the
 * definitions a bot builder pastes (`/v1/tools.json`, the README) are generated from it too.
 * Pure: no handler is imported here (functions/agent/run-tool.ts runs the tools).
 */
import * as z from '../shared/zod';
import { BookingIdParamsSchema, CreateBookingRequestSchema, TranscriptTurnSchema } from '../booking/schemas';
import { CancelRequestSchema, RescheduleRequestSchema } from '../booking/schemas-changes';
import { AvailabilityQuerySchema, CreateHoldRequestSchema } from '../capacity/schemas';
import { CustomerLookupRequestSchema } from '../customers/schemas';
import { TriageRequestSchema } from '../triage/schemas';
import { routeNamed, type RouteName } from '../registry';

/** hand_off_to_human has no HTTP route of its own: it opens a review item with the transcript. */
export const HandOffRequestSchema = z
  .object({
    reason: z.string().trim().min(1).max(500).openapi({ description: 'Why a person should take over, in a sentence' }),
    callerPhone: z.string().trim().max(32).optional(),
    callerName: z.string().trim().max(200).optional(),
    bookingId: z.string().trim().min(1).max(64).optional().openapi({ description: 'The booking the conversation is about, if any' }),
    summary: z.string().trim().max(2_000).optional(),
    transcript: z.array(TranscriptTurnSchema).max(500).optional().openapi({ description: 'The conversation so far' }),
  })
  .openapi('HandOffRequest');
export type HandOffRequest = z.infer<typeof HandOffRequestSchema>;

export const TOOL_NAMES = [
  'lookup_customer',
  'triage_request',
  'check_availability',
  'hold_window',
  'create_booking',
  'get_booking',
  'reschedule_booking',
  'cancel_booking',
  'hand_off_to_human',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** What a tool call becomes: a request to one route of the API (by its name in functions/registry.ts). */
export interface RouteCall {
  route: RouteName;
  pathParameters: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

type Args = Record<string, unknown>;
type Body = Record<string, any>;

export interface ToolSpec {
  name: ToolName;
  description: string;
  /** The JSON Schema of the arguments (from the route's zod schemas; `io: 'input'`). */
  parameters: () => Record<string, unknown>;
  /** The route the tool goes through; absent for hand_off_to_human. */
  route?: (args: Args) => RouteCall;
  /** One or two sentences an agent can say, from a successful answer. */
  speak: (body: Body) => string;
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** A booking id (path) plus a body schema, as one flat object of arguments. */
function withBookingId(body: z.ZodType): () => Record<string, unknown> {
  return () => {
    const id = jsonSchema(BookingIdParamsSchema) as { properties: Record<string, unknown> };
    const rest = jsonSchema(body) as { properties?: Record<string, unknown>; required?: string[] };
    return {
      ...rest,
      type: 'object',
      properties: { id: { ...(id.properties.id as object), description: 'The booking id' }, ...rest.properties },
      required: ['id', ...(rest.required ?? [])],
    };
  };
}

function withoutId(args: Args): Args {
  const { id: _id, ...rest } = args;
  return rest;
}

let spokenDays: Intl.DateTimeFormat | undefined;

/** A calendar day as said aloud, "Tuesday, December 1" (Intl; luxon was ~70 KB of this bundle for two formats). */
function sayDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  const at = Date.UTC(year!, month! - 1, day!);
  if (Number.isNaN(at)) return date;
  spokenDays ??= new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });
  return spokenDays.format(at);
}

/** An instant's UTC clock time, "14:05". */
function sayUtcTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toISOString().slice(11, 16);
}

/** "Tuesday, December 1, 8:00 to 12:00" */
export function sayWindow(window: { date: string; start: string; end?: string } | null | undefined): string {
  if (!window) return 'no window yet';
  const day = sayDay(window.date);
  return window.end ? `${day}, ${window.start} to ${window.end}` : `${day} at ${window.start}`;
}

export function sayWindows(windows: Array<{ date: string; start: string; end?: string }>, max = 3): string {
  return windows
    .slice(0, max)
    .map((w) => sayWindow(w))
    .join('; ');
}

const STATUS_WORDS: Record<string, string> = {
  confirmed: 'is booked and confirmed',
  pending_confirmation: 'is booked; dispatch will confirm the time shortly',
  pending_approval: 'is received; a dispatcher approves it shortly',
  pending_crm_sync: 'is booked and confirmed',
  received: 'is received and being booked',
  rejected: 'could not be booked',
  dismissed: 'was dismissed by dispatch',
  cancelled: 'is cancelled',
};

function sayBooking(body: Body): string {
  return `Booking ${body.bookingId} ${STATUS_WORDS[body.status] ?? `is ${body.status}`}${body.window ? ` for ${sayWindow(body.window)}` : ''}.`;
}

export const agentTools: ToolSpec[] = [
  {
    name: 'lookup_customer',
    description:
      'Recognise the caller before the first question, by phone, email or service address (any written form). Returns match (matched, uncertain, none) and, when matched, the customer with locations, service history, equipment, membership, open estimates and communication preferences.',
    parameters: () => jsonSchema(CustomerLookupRequestSchema),
    route: (args) => ({ route: 'lookupCustomer', pathParameters: {}, body: args }),
    speak: (body) => {
      if (body.match === 'matched' && body.customer) {
        const history = body.customer.serviceHistory?.length ? ` with ${body.customer.serviceHistory.length} past visit(s)` : '';
        return `Returning customer: ${body.customer.name}${history}.`;
      }
      if (body.match === 'uncertain') return 'Someone is on file at this address, but not certainly this caller: confirm their name before using the record.';
      return 'No customer on file: this is a new customer.';
    },
  },
  {
    name: 'triage_request',
    description:
      'Classify what the caller said before booking: intent (emergency, routine_service, quote_request, membership, billing, other), trade, urgency, the job type with its confidence, the deciding phrases, and the route (book_now, emergency_path, estimate_visit, membership_desk, billing, human). Route human means ask or hand over; never guess.',
    parameters: () => jsonSchema(TriageRequestSchema),
    route: (args) => ({ route: 'triage', pathParameters: {}, body: args }),
    speak: (body) => {
      const jobType = body.jobType ? ` Job type ${body.jobType.jobTypeId}.` : '';
      return `${body.trade ? `A ${body.trade} job` : 'No trade recognised'}, ${body.urgency} urgency; next step: ${body.route}.${jobType}`;
    },
  },
  {
    name: 'check_availability',
    description:
      'Windows a qualified technician covering the postal code can really serve for a job type (default: the next days). Offer the caller two or three of them, then hold the one they pick with hold_window.',
    parameters: () => jsonSchema(AvailabilityQuerySchema),
    route: (args) => ({
      route: 'getAvailability',
      pathParameters: {},
      query: Object.fromEntries(Object.entries(args).map(([key, value]) => [key, String(value)])),
    }),
    speak: (body) => {
      if (body.windows?.length) return `Open windows: ${sayWindows(body.windows)}.`;
      if (body.nextAvailable?.length) return `Nothing open in those days; the next open windows are ${sayWindows(body.nextAvailable)}.`;
      return `Nothing can be offered (${body.reason ?? 'fully booked'}).`;
    },
  },
  {
    name: 'hold_window',
    description:
      'Hold the window the caller picked while you confirm their details (it expires by itself after a few minutes). Then call create_booking with the holdId: it books exactly that window. Omit window to hold the first open one.',
    parameters: () => jsonSchema(CreateHoldRequestSchema),
    route: (args) => ({ route: 'createHold', pathParameters: {}, body: args }),
    speak: (body) => `Held ${sayWindow(body.window)} until ${body.expiresAt ? sayUtcTime(body.expiresAt) : 'shortly'} UTC (holdId ${body.holdId}).`,
  },
  {
    name: 'create_booking',
    description:
      'Book a home-service job for a caller. Pass the holdId from hold_window to book exactly the held window; omit window and holdId to take the first window dispatch can honour. Returns the booking status (confirmed, pending_confirmation, pending_crm_sync, ...) or, when nothing is open, alternatives.',
    parameters: () => jsonSchema(CreateBookingRequestSchema),
    route: (args) => ({ route: 'createBooking', pathParameters: {}, body: args }),
    speak: sayBooking,
  },
  {
    name: 'get_booking',
    description: 'Look up a booking by id, with its status and timeline.',
    parameters: () => jsonSchema(BookingIdParamsSchema),
    route: (args) => ({ route: 'getBooking', pathParameters: { id: String(args.id ?? '') } }),
    speak: sayBooking,
  },
  {
    name: 'reschedule_booking',
    description: 'Move a booking to another window (or a hold from hold_window): the new window is claimed before the old one is released.',
    parameters: withBookingId(RescheduleRequestSchema),
    route: (args) => ({ route: 'rescheduleBooking', pathParameters: { id: String(args.id ?? '') }, body: withoutId(args) }),
    speak: (body) => `Moved. ${sayBooking(body)}`,
  },
  {
    name: 'cancel_booking',
    description: 'Cancel a booking at the caller’s request (give the reason): the window is released and pending reminders are cancelled.',
    parameters: withBookingId(CancelRequestSchema),
    route: (args) => ({ route: 'cancelBooking', pathParameters: { id: String(args.id ?? '') }, body: withoutId(args) }),
    speak: (body) => `Booking ${body.bookingId} is cancelled.`,
  },
  {
    name: 'hand_off_to_human',
    description:
      'Hand the caller to a person: opens an item in the review queue with the reason and the transcript, for a call back. Use it when triage says human, when the caller asks for a person, or when you cannot help.',
    parameters: () => jsonSchema(HandOffRequestSchema),
    speak: (body) => `A person from the team will call back (review item ${body.reviewItemId}).`,
  },
];

export function toolByName(name: string): ToolSpec | undefined {
  return agentTools.find((tool) => tool.name === name);
}

/** An error answer of a route, as `{error:{code,message,field}, alternatives?, ...}`. */
export interface RouteErrorBody {
  error?: { code?: string; message?: string; field?: string };
  alternatives?: Array<{ date: string; start: string; end?: string }>;
  nextAvailable?: Array<{ date: string; start: string; end?: string }>;
  [key: string]: unknown;
}

/** What the agent hears when a route refused: what happened and what it can do next. */
export function speakError(tool: ToolName, status: number, body: RouteErrorBody | undefined): string {
  const code = body?.error?.code ?? 'error';
  const message = body?.error?.message ?? `The request failed (${status})`;
  const alternatives = body?.alternatives ?? body?.nextAvailable ?? [];
  if (code === 'window_unavailable') {
    const taken = tool === 'create_booking' || tool === 'reschedule_booking' ? 'That window cannot be booked' : 'That window was just taken';
    if (alternatives.length) {
      const count = Math.min(alternatives.length, 3);
      return `${taken}; ${count === 1 ? 'this one is' : `these ${count} are`} open: ${sayWindows(alternatives)}. Offer them and hold the one the caller picks.`;
    }
    // The route kept the caller as a lead with a callback item for dispatch (functions/leads/): no second hand-off.
    if (typeof body?.leadId === 'string') {
      return `${taken}, and nothing else is open soon. The caller is kept (lead ${body.leadId}): tell them the team will call back.`;
    }
    return `${taken}, and nothing else is open soon: offer a call back (hand_off_to_human).`;
  }
  if (code === 'invalid_request' || code === 'invalid_json') {
    return `${message}. Ask the caller for it${body?.error?.field ? ` (${body.error.field})` : ''} and call ${tool} again.`;
  }
  if (code === 'not_found') return `${message}. Check the id with the caller.`;
  if (code === 'unauthorized' || code === 'forbidden') return `${message}. This agent's API key cannot do that: hand the caller to a person.`;
  if (code === 'rate_limited' || code === 'service_unavailable' || code === 'request_in_progress') {
    return `${message}. Tell the caller you are still working on it and call ${tool} again in a moment.`;
  }
  return message;
}

/**
 * The definitions a bot builder pastes (OpenAI function calling shape, also what Vapi and Retell
 * take), and `/v1/tools.json`. `method`/`path` name the HTTP route the tool goes through.
 */
export function toolDefinitions() {
  return agentTools.map((tool) => {
    const route = tool.route && routeNamed(tool.route({ id: '{id}' }).route);
    return {
      name: tool.name,
      description: tool.description,
      ...(route ? { method: route.method, path: route.path } : {}),
      parameters: tool.parameters(),
    };
  });
}

/** A placeholder for the deployment's API URL in definitions a bot builder pastes. */
export const API_URL_PLACEHOLDER = 'https://YOUR-API';

/**
 * Vapi custom tools (`POST /tool` or an assistant's `model.tools`): function tools whose server is
 * our tool-calls endpoint. Vapi's server credential carries `Authorization: Bearer <API key>`.
 */
export function vapiToolDefinitions(apiUrl = API_URL_PLACEHOLDER) {
  return agentTools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters() },
    server: { url: `${apiUrl}/v1/voice/vapi/tool-calls` },
  }));
}

/**
 * Retell custom functions (agent's general tools, `type: 'custom'`): one URL per tool; add the
 * header `Authorization: Bearer <API key>` to each in Retell.
 */
export function retellToolDefinitions(apiUrl = API_URL_PLACEHOLDER) {
  return agentTools.map((tool) => ({
    type: 'custom',
    name: tool.name,
    description: tool.description,
    url: `${apiUrl}/v1/voice/retell/functions/${tool.name}`,
    speak_during_execution: false,
    speak_after_execution: true,
    parameters: tool.parameters(),
  }));
}

/** The README's "Connect your agent" tool list and paste-able examples, generated from this table. */
export const AGENT_DOC_START = '<!-- agent-tools:start (generated from functions/agent/tools.ts: npm run docs:agent) -->';
export const AGENT_DOC_END = '<!-- agent-tools:end -->';

export function agentToolsMarkdown(): string {
  const rows = agentTools.map((tool) => {
    const route = tool.route && routeNamed(tool.route({ id: '{id}' }).route);
    return `| \`${tool.name}\` | ${route ? `\`${route.method} ${route.path}\`` : 'opens a review item'} | ${tool.description} |`;
  });
  const example = (value: unknown) => ['```json', JSON.stringify(value, null, 2), '```'];
  return [
    AGENT_DOC_START,
    '| Tool | Goes through | What the agent reads |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Vapi, one tool as pasted (all of them: `GET /v1/tools.json?format=vapi`):',
    '',
    ...example(vapiToolDefinitions().find((tool) => tool.function.name === 'get_booking')),
    '',
    'Retell, one custom function as pasted (all of them: `GET /v1/tools.json?format=retell`):',
    '',
    ...example(retellToolDefinitions().find((tool) => tool.name === 'get_booking')),
    AGENT_DOC_END,
  ].join('\n');
}

export function withAgentTools(readme: string): string {
  const start = readme.indexOf(AGENT_DOC_START);
  const end = readme.indexOf(AGENT_DOC_END);
  if (start < 0 || end < start) throw new Error('README.md has no agent-tools markers');
  return readme.slice(0, start) + agentToolsMarkdown() + readme.slice(end + AGENT_DOC_END.length);
}
