/**
 * The workflows' error names and the error classes agree (issue 14):
 * - every custom name in a Retry or Catch `ErrorEquals` (not one of AWS's own `States.*`,
 *   `Lambda.*`, `Sandbox.*`, `StepFunctions.*`) is the `name` of an exported error class: a renamed
 *   class cannot silently turn a Retry into a no-op;
 * - every error class a Task's handler declares it throws (`export const raises`, next to the node)
 *   is retried or caught by name by that Task, or caught by its Catch on States.ALL where the
 *   declaration says why (`catchAll`), or may fail the run where the declaration says who finds the
 *   work then (`uncaught`, a Task with no Catch).
 * Step Functions matches names exactly: a subclass's name is not matched by its parent's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lambdaByName } from '../../functions/registry';
import * as errors from '../../functions/shared/errors';
import { type ErrorClass, errorNameOf, type NodeRaises } from '../../functions/shared/errors';
import { fromRoot } from '../../lib/paths';

interface Rule {
  ErrorEquals: string[];
}
interface State {
  Type: string;
  Resource?: string;
  Parameters?: { node?: string };
  Retry?: Rule[];
  Catch?: Rule[];
  States?: Record<string, State>;
  Branches?: Array<{ States: Record<string, State> }>;
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
}

const AWS_ERROR_PREFIXES = ['States.', 'Lambda.', 'Sandbox.', 'StepFunctions.'];
const aslFiles = readdirSync(fromRoot('state-machines'))
  .filter((file) => file.endsWith('.asl.json'))
  .map((file) => path.join('state-machines', file));

/** Every Task of a definition, nested states included, with its name. */
function tasksOf(states: Record<string, State>): Array<[string, State]> {
  return Object.entries(states).flatMap(
    ([name, state]): Array<[string, State]> => [
      ...(state.Type === 'Task' ? [[name, state] as [string, State]] : []),
      ...(state.Branches ?? []).flatMap((branch) => tasksOf(branch.States)),
      ...(state.ItemProcessor ? tasksOf(state.ItemProcessor.States) : []),
      ...(state.Iterator ? tasksOf(state.Iterator.States) : []),
    ],
  );
}

const tasks = aslFiles.flatMap((file) =>
  tasksOf((JSON.parse(readFileSync(fromRoot(file), 'utf8')) as { States: Record<string, State> }).States).map(
    ([name, state]) => ({ file, name, state }) as const,
  ),
);

/**
 * The module whose handler a Task runs: its function's entry, or, for a function that runs several
 * nodes (an entry exporting `nodes`, e.g. BookingNodes), the node the Task names in `Parameters.node`.
 */
async function nodeModuleOf(lambda: string, state: State): Promise<{ where: string; module: Record<string, unknown> & { raises?: NodeRaises } }> {
  const entry = lambdaByName(lambda).entry;
  const module = (await import(fromRoot(entry))) as Record<string, unknown> & { nodes?: Record<string, Record<string, unknown>> };
  if (!module.nodes) return { where: entry, module };
  const node = module.nodes[state.Parameters?.node ?? ''];
  if (!node) throw new Error(`${entry} runs no node named ${JSON.stringify(state.Parameters?.node)}`);
  return { where: `${entry} (node ${state.Parameters!.node})`, module: node };
}

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

/** The exported error classes a node's module and shared/errors.ts define, by name. */
async function exportedErrorNames(): Promise<Set<string>> {
  const modules: Array<Record<string, unknown>> = [errors];
  for (const { state } of tasks) {
    const lambda = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(state.Resource ?? '')?.[1];
    if (lambda) modules.push((await nodeModuleOf(lambda, state)).module);
  }
  return new Set(modules.flatMap((module) => Object.values(module).filter(isErrorClass).map(errorNameOf)));
}

describe('ASL error names and the error classes', () => {
  // Importing every node's handler module is slow on a busy machine (60 s ran out on a loaded one):
  // the unit project's generous deadline (vitest.config.ts), not a speed check.
  it('every custom ErrorEquals name is the name of an exported error class', async () => {
    const known = await exportedErrorNames();
    const custom = tasks.flatMap(({ file, name, state }) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])]
        .flatMap((rule) => rule.ErrorEquals)
        .filter((error) => !AWS_ERROR_PREFIXES.some((prefix) => error.startsWith(prefix)))
        .map((error) => ({ where: `${file} ${name}`, error })),
    );
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.filter(({ error }) => !known.has(error))).toEqual([]);
  });

  it.each(tasks.filter(({ state }) => /FunctionArn\}$/.test(state.Resource ?? '')).map((task) => [`${task.file} ${task.name}`, task] as const))(
    '%s retries or catches, on purpose, every error its handler declares',
    async (_label, { name, state }) => {
      const lambda = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(state.Resource!)![1]!;
      const { where, module } = await nodeModuleOf(lambda, state);
      expect(module.raises, `${where} declares no \`raises\``).toBeDefined();
      const { errors: thrown, catchAll, uncaught } = module.raises!;
      const retried = new Set((state.Retry ?? []).flatMap((rule) => rule.ErrorEquals));
      const caught = new Set((state.Catch ?? []).flatMap((rule) => rule.ErrorEquals));
      const unhandled = thrown.map(errorNameOf).filter((error) => {
        if (retried.has(error) || caught.has(error) || retried.has('States.ALL')) return false;
        if (caught.has('States.ALL')) return !catchAll;
        return !(state.Catch === undefined && uncaught);
      });
      expect(unhandled, `${name}: neither retried nor caught on purpose`).toEqual([]);
      // A declaration says why only where it applies.
      if (catchAll) expect(caught.has('States.ALL'), `${name} declares catchAll but has no Catch on States.ALL`).toBe(true);
      if (uncaught) expect(state.Catch, `${name} declares uncaught but has a Catch`).toBeUndefined();
    },
  );
});
