/**
 * The triage classifier on a labelled set of realistic requests (test/fixtures/triage.json): prints
 * accuracy and the emergency/urgent/routine confusion, and asserts no emergency is classed routine.
 * Plus fuzz: any string gets a valid answer, never a throw.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, INTENTS, ROUTES, URGENCIES, type TriageAnswer } from '../../functions/triage/classify';
import { DEFAULT_TRIAGE_RULES, TriageRulesSchema } from '../../functions/triage/rules';

interface Labelled {
  text: string;
  intent: TriageAnswer['intent'];
  urgency: TriageAnswer['urgency'];
  jobTypeId: string | null;
}

const set = JSON.parse(readFileSync(new URL('../fixtures/triage.json', import.meta.url), 'utf8')) as Labelled[];
const rules = TriageRulesSchema.parse(DEFAULT_TRIAGE_RULES);

/** Right when the intent is right and, for service and emergencies, the job type is (or, when the label has none, no confident guess is made). */
function isRight(label: Labelled, answer: TriageAnswer): boolean {
  if (answer.intent !== label.intent) return false;
  if (label.intent !== 'routine_service' && label.intent !== 'emergency') return true;
  if (label.jobTypeId === null) return label.intent === 'emergency' || answer.route === 'human';
  return answer.jobType?.jobTypeId === label.jobTypeId && (label.intent === 'emergency' || answer.route === 'book_now');
}

describe('triage on the labelled set', () => {
  const results = set.map((label) => ({ label, answer: classify(label.text, rules) }));

  it('has at least 200 labelled requests', () => {
    expect(set.length).toBeGreaterThanOrEqual(200);
  });

  it('reports accuracy and the urgency confusion; no emergency is classed routine', () => {
    const right = results.filter((r) => isRight(r.label, r.answer));
    const intentRight = results.filter((r) => r.answer.intent === r.label.intent);
    const urgencyRight = results.filter((r) => r.answer.urgency === r.label.urgency);
    const confusion: Record<string, Record<string, number>> = {};
    for (const u of URGENCIES) confusion[u] = Object.fromEntries(URGENCIES.map((v) => [v, 0]));
    for (const r of results) confusion[r.label.urgency]![r.answer.urgency]! += 1;
    const pct = (n: number) => `${((100 * n) / results.length).toFixed(1)}%`;
    const wrong = results.filter((r) => !isRight(r.label, r.answer));
    console.log(
      [
        `triage: ${results.length} requests`,
        `  overall (intent + job type/route): ${right.length} = ${pct(right.length)}`,
        `  intent: ${pct(intentRight.length)}, urgency: ${pct(urgencyRight.length)}`,
        `  urgency confusion (rows = label, columns = answer: emergency / urgent / routine):`,
        ...URGENCIES.map((u) => `    ${u.padEnd(9)} ${URGENCIES.map((v) => String(confusion[u]![v]).padStart(4)).join(' ')}`),
        `  wrong:`,
        ...wrong.map(
          (r) =>
            `    "${r.label.text}" want ${r.label.intent}/${r.label.jobTypeId} got ${r.answer.intent}/${r.answer.jobType?.jobTypeId}@${r.answer.jobType?.confidence} ${r.answer.route}`,
        ),
      ].join('\n'),
    );
    expect(confusion.emergency!.routine).toBe(0);
    expect(confusion.emergency!.urgent).toBe(0);
    expect(right.length / results.length).toBeGreaterThanOrEqual(0.85);
  });

  it('says why: reasons name the deciding phrases', () => {
    const answer = classify("no heat and it's 40 degrees inside", rules);
    expect(answer).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path', trade: 'hvac' });
    expect(answer.jobType?.jobTypeId).toBe('hvac-no-heat');
    expect(answer.reasons.join(' ')).toContain('40°F');
  });

  it('reads negation: "no leak" is not a leak, "not an emergency" is routine', () => {
    expect(classify('there is no leak and no gas smell, just a clogged sink', rules)).toMatchObject({ intent: 'routine_service', route: 'book_now' });
    expect(classify('not an emergency, the sink drips', rules).urgency).toBe('routine');
  });

  it('honours tenant rules: another temperature threshold, another emergency phrase', () => {
    const strict = TriageRulesSchema.parse({ ...DEFAULT_TRIAGE_RULES, noHeat: { ...DEFAULT_TRIAGE_RULES.noHeat, belowF: 65 } });
    expect(classify('no heat, 62 degrees inside', rules).intent).not.toBe('emergency');
    expect(classify('no heat, 62 degrees inside', strict).intent).toBe('emergency');
    const custom = TriageRulesSchema.parse({
      ...DEFAULT_TRIAGE_RULES,
      emergencies: [...DEFAULT_TRIAGE_RULES.emergencies, { reason: 'well pump', phrases: ['well pump'] }],
    });
    expect(classify('the well pump quit', custom).route).toBe('emergency_path');
  });

  it('sends an unknown job type to a person, never to a guess', () => {
    const answer = classify('the sink is clogged', rules, ['hvac-ac-repair']);
    expect(answer.route).toBe('human');
  });
});

describe('triage fuzz', () => {
  it('answers any string with a valid answer and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc
            .array(fc.constantFrom('no', 'heat', 'gas', 'smell', '40', 'degrees', 'leak', 'not', '.', 'ac', 'quote', 'bill', '°', 'a/c', "isn't"), {
              maxLength: 30,
            })
            .map((w) => w.join(' ')),
        ),
        (text) => {
          const answer = classify(text, rules);
          expect(INTENTS).toContain(answer.intent);
          expect(URGENCIES).toContain(answer.urgency);
          expect(ROUTES).toContain(answer.route);
          expect(Array.isArray(answer.reasons)).toBe(true);
          if (answer.jobType) expect(answer.jobType.confidence).toBeGreaterThanOrEqual(0);
          if (answer.jobType) expect(answer.jobType.confidence).toBeLessThanOrEqual(1);
          if (answer.route === 'book_now') expect(answer.jobType!.confidence).toBeGreaterThanOrEqual(rules.minConfidence);
        },
      ),
      { numRuns: 1000 },
    );
    for (const odd of [undefined, null, 42, {}, 'x'.repeat(100_000)]) expect(() => classify(odd, rules)).not.toThrow();
  });
});
