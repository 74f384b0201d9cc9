/**
 * A scripted phone call, as an agent wired to JobRelay's tools runs it: a returning customer calls
 * about a new trade (their AC, after a plumbing visit), picks a window, someone else takes that
 * window while they talk, the agent offers what is open instead, holds it while it confirms the
 * details, and books exactly the held window.
 *
 * The script is the agent's side; `callTool` is the front door (MCP, Vapi or Retell: the same
 * tools), and `meanwhile.someoneElseTakes` is the other caller. test/integration/agent-conversation.test.ts
 * drives it through the MCP SDK client and through the Vapi endpoint.
 */

export interface ToolResult {
  /** What the agent can say. */
  text: string;
  /** The data it acts on next (holdId, alternatives, bookingId). */
  data: Record<string, any>;
  isError: boolean;
}

export type CallTool = (name: string, args: Record<string, unknown>) => Promise<ToolResult>;

export interface Turn {
  role: 'customer' | 'agent';
  text: string;
}

type Window = { date: string; start: string; end: string; capacity?: number };

/** The caller: on file after an earlier drain-clog visit (examples/booking.json). */
export const caller = {
  name: 'Jordan Rivera',
  phone: '(512) 555-0142',
  email: 'jordan.rivera@example.com',
  address: { line1: '1100 Congress Ave', line2: 'Apt 4B', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
};

export interface ConversationResult {
  transcript: Turn[];
  lookup: ToolResult;
  triage: ToolResult;
  /** The window the caller chose first (then taken by someone else). */
  firstChoice: Window;
  /** The refused hold on the first choice: "that window was just taken; these are open". */
  taken: ToolResult;
  hold: ToolResult;
  booking: ToolResult;
}

export async function bookByConversation(callTool: CallTool, meanwhile: { someoneElseTakes(window: Window): Promise<void> }): Promise<ConversationResult> {
  const transcript: Turn[] = [];
  const say = (role: Turn['role'], text: string) => transcript.push({ role, text });

  say('agent', 'Thanks for calling Lone Star Plumbing & Air. How can I help?');
  // Recognise the caller from the number they call from, before the first question.
  const lookup = await callTool('lookup_customer', { phone: caller.phone });
  const known = lookup.data.match === 'matched' ? lookup.data.customer : undefined;
  say('customer', "Hi, it's Jordan. Our air conditioner stopped cooling overnight, it's just blowing warm air.");
  if (known) say('agent', `Welcome back, ${known.name.split(' ')[0]}. Sorry to hear about the AC, let me see what we can do.`);

  const problem = transcript[transcript.length - (known ? 2 : 1)]!.text;
  const triage = await callTool('triage_request', { text: problem, channel: 'voice', callerNumber: caller.phone });
  const jobTypeId: string = triage.data.jobType?.jobTypeId;
  if (!jobTypeId || triage.data.route === 'human') {
    await callTool('hand_off_to_human', { reason: 'Triage could not place the request', callerPhone: caller.phone, transcript });
    throw new Error(`Triage did not place the request: ${triage.text}`);
  }
  const postalCode = known?.locations?.[0]?.postalCode ?? caller.address.postalCode;

  const availability = await callTool('check_availability', { jobTypeId, postalCode });
  const windows: Window[] = availability.data.windows ?? [];
  if (!windows.length) throw new Error(`Nothing open: ${availability.text}`);
  const firstChoice = windows[0]!;
  say(
    'agent',
    `I can have a technician at ${known?.locations?.[0]?.line1 ?? caller.address.line1}: ${availability.text.replace(/^Open windows: /, '')} Which suits you?`,
  );
  say('customer', 'The first one, please.');

  // While the caller was deciding, another caller took that window.
  await meanwhile.someoneElseTakes(firstChoice);
  const taken = await callTool('hold_window', { jobTypeId, postalCode, window: { date: firstChoice.date, start: firstChoice.start } });
  let hold = taken;
  if (taken.isError) {
    const next: Window | undefined = taken.data.alternatives?.[0];
    if (!next) throw new Error(`No alternatives: ${taken.text}`);
    say('agent', `I'm sorry, that window was just taken. The next one open is ${next.date} from ${next.start} to ${next.end}. Shall I take that?`);
    say('customer', 'Yes, that works.');
    hold = await callTool('hold_window', { jobTypeId, postalCode, window: { date: next.date, start: next.start } });
    if (hold.isError) throw new Error(`Could not hold the alternative: ${hold.text}`);
  }

  say('agent', `I'm holding that for you. Is this still ${caller.address.line1}, and is ${caller.phone} the best number for the text confirmation?`);
  say('customer', 'Yes to both. The gate code is 4412.');

  const booking = await callTool('create_booking', {
    customer: { name: caller.name, phone: caller.phone, email: caller.email },
    address: caller.address,
    jobTypeId,
    holdId: hold.data.holdId,
    request: problem,
    accessNotes: 'Gate code 4412.',
    channel: 'voice',
    transcript,
  });
  say('agent', booking.isError ? booking.text : `${booking.text} You'll get a text confirmation shortly.`);
  return { transcript, lookup, triage, firstChoice, taken, hold, booking };
}
