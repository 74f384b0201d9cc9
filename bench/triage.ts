/**
 * Triage quality and speed: the scores and confusion matrices of the classifier (default rules) on
 * the tuning set and on the evaluation sets (issue 18), and how long one classification takes.
 * Sets A and B were looked at after the first and second rounds of rule work and their items moved
 * into the tuning set; set C is held out: only its figures are printed, never its sentences. Prints,
 * asserts nothing.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { classify } from '../functions/triage/classify';
import { DEFAULT_TRIAGE_RULES, TriageRulesSchema } from '../functions/triage/rules';
import { loadSet, report, scoreSet } from '../test/triage-score';

const SETS = [
  { file: 'triage.json', name: 'tuning set (test/fixtures/triage.json)' },
  { file: 'triage-eval-a.json', name: 'evaluation set A (used for tuning after round 1)' },
  { file: 'triage-eval-b.json', name: 'evaluation set B (used for tuning after round 2)' },
  { file: 'triage-eval-c.json', name: 'evaluation set C (held out)' },
];

export async function benchTriage(): Promise<void> {
  const rules = TriageRulesSchema.parse(DEFAULT_TRIAGE_RULES);
  for (const { file, name } of SETS) {
    if (!existsSync(new URL(`../test/fixtures/${file}`, import.meta.url))) {
      console.log(`triage, ${name}: missing`);
      continue;
    }
    console.log(report(scoreSet(name, loadSet(file), rules)));
  }
  const texts = loadSet('triage.json').map((l) => l.text);
  const runs = 20_000;
  const start = performance.now();
  for (let i = 0; i < runs; i++) classify(texts[i % texts.length], rules);
  console.log(`triage classify: ${(((performance.now() - start) * 1000) / runs).toFixed(1)} µs per request (${runs} runs)`);
}
