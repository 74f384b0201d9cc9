/**
 * Every built-in message as it goes out, byte for byte: each kind's text and subject in English and
 * Spanish, rendered with every variable set, with the few a booking always has, and with none (the
 * error a strict template throws is part of the behaviour). The snapshot file was written from the
 * Handlebars compiler at run time (before templates were precompiled in the build); a wording change
 * in the catalogue updates it with `npx vitest run --project unit test/unit/notify-templates-golden.test.ts -u`
 * and the diff shows every message it changes.
 */
import { describe, expect, it } from 'vitest';
import { composeMessage, composeSubject, type MessageVariables, messageVariables, NOTIFICATION_KINDS } from '../../functions/notify/catalogue';
import { VARIABLE_DESCRIPTIONS, type VariableName } from '../../functions/notify/variables';

/** Every variable with a value that shows escaping (none: SMS text), doubled spaces and a Spanish "a.m." before a stop. */
const everyVariable = Object.fromEntries(
  (Object.keys(VARIABLE_DESCRIPTIONS) as VariableName[]).map((name) => [name, `<${name}> & "x"  a.m.`]),
) as unknown as MessageVariables;

const bookingOnly = messageVariables({
  customerName: 'Jordan Lee',
  jobTypeName: 'Drain clog',
  companyName: 'Lone Star',
  timeZone: 'America/Chicago',
  window: { date: '2026-12-05', start: '10:00', end: '12:00' },
});

const variableSets: Record<string, MessageVariables> = {
  every: everyVariable,
  booking: bookingOnly,
  none: {} as MessageVariables,
};

async function outcome(render: () => Promise<string>): Promise<string> {
  try {
    return await render();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('built-in message templates', () => {
  it('render every kind, language and variable set exactly as before', async () => {
    const rendered: Record<string, string> = {};
    for (const kind of NOTIFICATION_KINDS) {
      for (const language of ['en', 'es'] as const) {
        for (const [set, vars] of Object.entries(variableSets)) {
          rendered[`${kind}.${language}.${set}`] = await outcome(() => composeMessage(kind, {}, vars, language));
          rendered[`${kind}.subject.${language}.${set}`] = await outcome(() => composeSubject(kind, {}, vars, language));
        }
      }
    }
    await expect(`${JSON.stringify(rendered, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/notify-templates-golden.json');
  });
});
