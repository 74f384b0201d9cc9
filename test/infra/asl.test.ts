/**
 * Every workflow file is valid ASL and every Task is wired to a real handler from the registry,
 * with retries, and (except the review node itself) a Catch into RecordReviewItem.
 */
import aslValidator from 'asl-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionSubstitutions, lambdas, stateMachines, substitutionKey } from '../../functions/registry';
import { fromRoot } from '../../lib/paths';

const REVIEW_STATE = 'RecordReviewItem';

interface State {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Branches?: { States: Record<string, State> }[];
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
}

/** Task states at any depth (Parallel branches and Map processors included). */
function taskStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? ([[name, state]] as [string, State][]) : []),
    ...(state.Branches ?? []).flatMap((b) => taskStates(b.States)),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor.States) : []),
    ...(state.Iterator ? taskStates(state.Iterator.States) : []),
  ]);
}

const aslFiles = readdirSync(fromRoot('state-machines'))
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => path.posix.join('state-machines', f));

/** The definition as AWS sees it after substitution (dummy account and region). */
function substituted(text: string): unknown {
  const subs = definitionSubstitutions(text, (name) => `arn:aws:lambda:eu-west-1:123456789012:function:jobrelay-${name}`);
  let out = text;
  for (const [key, value] of Object.entries(subs)) out = out.split(`\${${key}}`).join(value);
  return JSON.parse(out);
}

describe('state machines', () => {
  it('has at least one ASL file, and every file is a registry state machine and vice versa', () => {
    expect(aslFiles.length).toBeGreaterThan(0);
    expect([...aslFiles].sort()).toEqual(stateMachines.map((s) => s.file).sort());
  });

  describe.each(aslFiles)('%s', (file) => {
    const text = readFileSync(fromRoot(file), 'utf8');
    const definition = JSON.parse(text) as { States: Record<string, State> };
    const tasks = taskStates(definition.States);

    it('is valid ASL (asl-validator) once its substitutions are applied', () => {
      const { isValid, errorsText } = aslValidator(substituted(text));
      expect(isValid, errorsText('\n')).toBe(true);
    });

    it('leaves no placeholder unsubstituted', () => {
      expect(JSON.stringify(substituted(text))).not.toMatch(/\$\{/);
    });

    it.each(tasks.map(([name, state]) => [name, state] as const))(
      'Task %s calls a registry node function whose handler exists',
      (_name, state) => {
        const match = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(state.Resource ?? '');
        expect(match, `Resource ${state.Resource} is not a \${<Name>FunctionArn} placeholder`).not.toBeNull();
        const lambdaName = match![1]!;
        expect(state.Resource).toBe(`\${${substitutionKey(lambdaName)}}`);
        const spec = lambdas.find((l) => l.name === lambdaName);
        expect(spec, `${lambdaName} is not in functions/registry.ts`).toBeDefined();
        expect(spec!.kind).toBe('node');
        const entry = fromRoot(spec!.entry);
        expect(existsSync(entry), `${spec!.entry} does not exist`).toBe(true);
        expect(readFileSync(entry, 'utf8')).toMatch(/export\s+const\s+handler\b/);
      },
    );

    it.each(tasks.map(([name, state]) => [name, state] as const))('Task %s retries', (_name, state) => {
      expect(state.Retry?.length ?? 0).toBeGreaterThan(0);
    });

    it('has the review node, and every other Task catches States.ALL into it', () => {
      expect(definition.States[REVIEW_STATE]?.Type).toBe('Task');
      for (const [name, state] of tasks) {
        if (name === REVIEW_STATE) continue;
        const toReview = (state.Catch ?? []).filter((c) => c.Next === REVIEW_STATE);
        expect(toReview.length, `${name} has no Catch to ${REVIEW_STATE}`).toBeGreaterThan(0);
        expect(toReview.some((c) => c.ErrorEquals.includes('States.ALL')), `${name} does not catch States.ALL`).toBe(true);
      }
    });
  });
});
