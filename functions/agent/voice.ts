/**
 * The voice platforms' custom-tool payloads, as they document them (zod: loose objects, since each
 * platform adds fields over time; only what we read is required). Sample payloads replayed by the
 * tests are in test/fixtures/voice/ with where each came from.
 */
import { withinBytes } from '../shared/bounds';
import * as z from '../shared/zod';

/** A platform message at most this large (Vapi's carries the assistant and the transcript so far). */
export const MAX_VOICE_MESSAGE_BYTES = 1_000_000;

/** Arguments arrive as an object, or (OpenAI-style function calls) as a JSON string. */
const ArgumentsSchema = z.union([z.record(z.string(), z.unknown()), z.string().max(100_000)]);

/** One tool call: `{id, name, arguments}` (Vapi's docs) or `{id, type: 'function', function: {name, arguments}}` (ToolCall schema). */
export const VapiToolCallSchema = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.string().optional(),
  name: z.string().min(1).max(100).optional(),
  arguments: ArgumentsSchema.optional(),
  function: z.looseObject({ name: z.string().min(1).max(100), arguments: ArgumentsSchema.optional(), parameters: ArgumentsSchema.optional() }).optional(),
});
export type VapiToolCall = z.infer<typeof VapiToolCallSchema>;

/** A Vapi server message (`POST` to the tool's or assistant's server URL); `tool-calls` is the one we act on. */
export const VapiServerMessageSchema = withinBytes(
  z.looseObject({
    message: z.looseObject({
      type: z.string().min(1).max(100),
      toolCallList: z.array(VapiToolCallSchema).max(50).optional(),
      toolWithToolCallList: z
        .array(z.looseObject({ name: z.string().optional(), toolCall: VapiToolCallSchema }))
        .max(50)
        .optional(),
      call: z.looseObject({ id: z.string().optional() }).optional(),
    }),
  }),
  MAX_VOICE_MESSAGE_BYTES,
);
export type VapiServerMessage = z.infer<typeof VapiServerMessageSchema>;

/** Retell's custom function call: `{name, args, call}` (or, with "Payload: args only", the arguments alone). */
export const RetellFunctionCallSchema = withinBytes(
  z.looseObject({
    name: z.string().min(1).max(100).optional(),
    args: z.record(z.string(), z.unknown()).optional(),
    call: z.looseObject({ call_id: z.string().optional() }).optional(),
  }),
  MAX_VOICE_MESSAGE_BYTES,
);

export const VoiceToolNameParamsSchema = z.object({ name: z.string().regex(/^[a-z_]{1,64}$/, 'expected a tool name like create_booking') });

/** The tool calls of a Vapi message, each with its name and parsed arguments. */
export function vapiToolCalls(message: VapiServerMessage['message']): Array<{ id: string; name: string; args: unknown }> {
  const calls = message.toolCallList ?? message.toolWithToolCallList?.map((entry) => entry.toolCall) ?? [];
  return calls.map((call) => {
    const raw = call.function?.arguments ?? call.arguments ?? call.function?.parameters ?? {};
    let args: unknown = raw;
    if (typeof raw === 'string') {
      try {
        args = raw.trim() ? JSON.parse(raw) : {};
      } catch {
        args = raw; // runTool answers "the arguments must be a JSON object"
      }
    }
    return { id: call.id, name: call.function?.name ?? call.name ?? '', args };
  });
}
