/** The agent's tool table and the voice platforms' payload parsing: pure, with a fuzz test (bad input never crashes). */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { agentTools, sayWindow, speakError, TOOL_NAMES, toolDefinitions } from '../../functions/agent/tools';
import { RetellFunctionCallSchema, VapiServerMessageSchema, vapiToolCalls } from '../../functions/agent/voice';

describe('the tool table', () => {
  it('has every tool once, each with an object schema and a route (but hand-off)', () => {
    expect(agentTools.map((tool) => tool.name)).toEqual([...TOOL_NAMES]);
    for (const definition of toolDefinitions()) {
      expect(definition.parameters.type, definition.name).toBe('object');
      expect(Boolean(definition.path), definition.name).toBe(definition.name !== 'hand_off_to_human');
    }
  });

  it('turns arguments into the route request', () => {
    const cancel = agentTools.find((tool) => tool.name === 'cancel_booking')!.route!({ id: 'B1', reason: 'moved away' });
    expect(cancel).toEqual({ route: 'cancelBooking', pathParameters: { id: 'B1' }, body: { reason: 'moved away' } });
    const availability = agentTools.find((tool) => tool.name === 'check_availability')!.route!({ jobTypeId: 'x', postalCode: '78701', emergency: true });
    expect(availability.query).toEqual({ jobTypeId: 'x', postalCode: '78701', emergency: 'true' });
  });

  it('a taken window is said with at most three alternatives', () => {
    const alternatives = [1, 2, 3, 4].map((d) => ({ date: `2026-12-0${d}`, start: '08:00', end: '10:00' }));
    const text = speakError('hold_window', 409, { error: { code: 'window_unavailable', message: 'x' }, alternatives });
    expect(text).toBe(
      'That window was just taken; these 3 are open: Tuesday, December 1, 08:00 to 10:00; Wednesday, December 2, 08:00 to 10:00; Thursday, December 3, 08:00 to 10:00. Offer them and hold the one the caller picks.',
    );
    expect(
      speakError('create_booking', 400, { error: { code: 'invalid_request', message: 'customer.phone: not a valid phone number', field: 'customer.phone' } }),
    ).toContain('(customer.phone)');
  });
});

describe('spoken days and times (Intl, as luxon said them)', () => {
  it('says every day of a year and a held window as luxon did', () => {
    for (let day = 0; day < 366; day++) {
      const date = new Date(Date.UTC(2028, 0, 1 + day)).toISOString().slice(0, 10);
      expect(sayWindow({ date, start: '08:00', end: '10:00' }), date).toBe(`${DateTime.fromISO(date).toFormat('cccc, LLLL d')}, 08:00 to 10:00`);
    }
    const speak = agentTools.find((tool) => tool.name === 'hold_window')!.speak;
    for (const expiresAt of ['2026-12-01T14:05:30.000Z', '2026-12-01T08:05:00-06:00', '2026-12-31T23:59:59.999Z']) {
      expect(speak({ holdId: 'H1', window: { date: '2026-12-01', start: '08:00' }, expiresAt }), expiresAt).toBe(
        `Held Tuesday, December 1 at 08:00 until ${DateTime.fromISO(expiresAt).toUTC().toFormat('HH:mm')} UTC (holdId H1).`,
      );
    }
  });
});

describe('Vapi tool calls', () => {
  it('reads both documented shapes, arguments as an object or a JSON string', () => {
    const { message } = VapiServerMessageSchema.parse({
      message: {
        type: 'tool-calls',
        toolCallList: [
          { id: 'a', name: 'get_booking', arguments: { id: 'B1' } },
          { id: 'b', type: 'function', function: { name: 'get_booking', arguments: '{"id":"B2"}' } },
        ],
      },
    });
    expect(vapiToolCalls(message)).toEqual([
      { id: 'a', name: 'get_booking', args: { id: 'B1' } },
      { id: 'b', name: 'get_booking', args: { id: 'B2' } },
    ]);
  });

  it('fuzz: any JSON is parsed or refused, never throws past zod', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = VapiServerMessageSchema.safeParse({ message: { type: 'tool-calls', toolCallList: [value] } });
        if (parsed.success) for (const call of vapiToolCalls(parsed.data.message)) expect(typeof call.name).toBe('string');
        RetellFunctionCallSchema.safeParse(value);
      }),
      { numRuns: 300 },
    );
  });
});
