/**
 * Scores the triage classifier on a labelled set (test/fixtures/triage*.json): accuracy of intent,
 * urgency and job type, and the confusion matrices. Shared by test/unit/triage.test.ts and
 * `npm run bench triage`. A held-out set is printed as figures only, never its sentences.
 */
import { readFileSync } from 'node:fs';
import { classify, INTENTS, URGENCIES, type TriageAnswer } from '../functions/triage/classify';
import type { TriageRules } from '../functions/triage/rules';

export interface Labelled {
  text: string;
  intent: TriageAnswer['intent'];
  urgency: TriageAnswer['urgency'];
  jobTypeId: string | null;
  channel?: string;
  family?: string;
}

export interface SetScore {
  name: string;
  size: number;
  intent: number;
  urgency: number;
  /** Intent right and, for service and emergencies, the job type (or, when the label has none, no confident guess). */
  overall: number;
  urgencyConfusion: Record<string, Record<string, number>>;
  intentConfusion: Record<string, Record<string, number>>;
  emergencyAsRoutine: number;
  emergencyAsUrgent: number;
  wrong: Array<{ label: Labelled; answer: TriageAnswer }>;
}

export function loadSet(file: string): Labelled[] {
  return JSON.parse(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8')) as Labelled[];
}

/** Right when the intent is right and, for service and emergencies, the job type is (or, when the label has none, no confident guess is made). */
export function isRight(label: Labelled, answer: TriageAnswer): boolean {
  if (answer.intent !== label.intent) return false;
  if (label.intent !== 'routine_service' && label.intent !== 'emergency') return true;
  if (label.jobTypeId === null) return label.intent === 'emergency' || answer.route === 'human';
  return answer.jobType?.jobTypeId === label.jobTypeId && (label.intent === 'emergency' || answer.route === 'book_now');
}

const matrix = (keys: readonly string[]) =>
  Object.fromEntries(keys.map((k) => [k, Object.fromEntries(keys.map((v) => [v, 0]))])) as Record<string, Record<string, number>>;

export function scoreSet(name: string, set: Labelled[], rules: TriageRules): SetScore {
  const results = set.map((label) => ({ label, answer: classify(label.text, rules) }));
  const urgencyConfusion = matrix(URGENCIES);
  const intentConfusion = matrix(INTENTS);
  for (const r of results) {
    urgencyConfusion[r.label.urgency]![r.answer.urgency]! += 1;
    intentConfusion[r.label.intent]![r.answer.intent]! += 1;
  }
  const share = (n: number) => (results.length ? n / results.length : 0);
  return {
    name,
    size: results.length,
    intent: share(results.filter((r) => r.answer.intent === r.label.intent).length),
    urgency: share(results.filter((r) => r.answer.urgency === r.label.urgency).length),
    overall: share(results.filter((r) => isRight(r.label, r.answer)).length),
    urgencyConfusion,
    intentConfusion,
    emergencyAsRoutine: urgencyConfusion.emergency!.routine!,
    emergencyAsUrgent: urgencyConfusion.emergency!.urgent!,
    wrong: results.filter((r) => r.answer.intent !== r.label.intent || r.answer.urgency !== r.label.urgency),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(title: string, keys: readonly string[], m: Record<string, Record<string, number>>, short: (k: string) => string): string[] {
  return [
    `  ${title} (rows = label, columns = answer)`,
    `    ${''.padEnd(16)}${keys.map((k) => short(k).padStart(9)).join('')}`,
    ...keys.map((k) => `    ${k.padEnd(16)}${keys.map((v) => String(m[k]![v]).padStart(9)).join('')}`),
  ];
}

/** The figures and confusion matrices; the wrong sentences only when `showWrong` (never for a held-out set). */
export function report(score: SetScore, showWrong = false): string {
  const short = (k: string) => ({ routine_service: 'service', quote_request: 'quote', membership: 'member' })[k] ?? k;
  return [
    `triage, ${score.name}: ${score.size} requests`,
    `  urgency ${pct(score.urgency)}, intent ${pct(score.intent)}, overall (intent + job type/route) ${pct(score.overall)}`,
    `  emergencies answered routine: ${score.emergencyAsRoutine}, answered urgent: ${score.emergencyAsUrgent}`,
    ...table('urgency confusion', URGENCIES, score.urgencyConfusion, short),
    ...table('intent confusion', INTENTS, score.intentConfusion, short),
    ...(showWrong
      ? [
          `  wrong intent or urgency (${score.wrong.length}):`,
          ...score.wrong.map(
            (r) =>
              `    "${r.label.text}" want ${r.label.intent}/${r.label.urgency}/${r.label.jobTypeId} got ${r.answer.intent}/${r.answer.urgency}/${r.answer.jobType?.jobTypeId ?? null}`,
          ),
        ]
      : []),
  ].join('\n');
}
