/**
 * Messages due now go now (issue 19 item 3): every writer of ledger rows rings the notify queue itself
 * (functions/notify/queue-now.ts addLedgerRows), so every function whose code can send to the notify
 * queue needs the `notifyQueue:send` grant. Without it the send fails (no queue URL, no IAM statement)
 * and the row silently waits for the sweeper's next tick: nothing else would notice. Which functions
 * can send is read from what esbuild keeps of functions/notify/queue-store.ts in each function's bundle
 * (tree-shaken: a function that imports a writer's module without calling the writer keeps none of it),
 * so a new writer, or a new function calling one, cannot ship without the grant; and a function that
 * cannot send has no grant it does not use.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf, LAMBDA_BUNDLING } from '../../lib/function-definition';
import { repoRoot } from '../../lib/paths';
import { lambdas } from '../../functions/registry';

/** The module that sends to the notify queue (SendMessageBatch): every doorbell goes through it. */
const NOTIFY_SENDER = 'functions/notify/queue-store.ts';

/** Every function's own code in one build (packages left external: only our modules decide it, and it is fast). */
async function functionsThatSendToNotify(): Promise<string[]> {
  const result = await build({
    ...esbuildOptionsOf(LAMBDA_BUNDLING),
    packages: 'external',
    entryPoints: lambdas.map((spec) => ({ in: resolve(repoRoot, spec.entry), out: spec.name })),
    outdir: resolve(repoRoot, '.jobrelay', 'notify-grants-test'),
    absWorkingDir: repoRoot,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const sending = new Set<string>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const name = /([^/]+)\.m?js$/.exec(file)?.[1];
    if (name && (output.inputs[NOTIFY_SENDER]?.bytesInOutput ?? 0) > 0) sending.add(name);
  }
  return lambdas.map((spec) => spec.name).filter((name) => sending.has(name));
}

describe('notify queue grants', () => {
  it('every function that can ring the notify queue (writes due-now messages) has notifyQueue:send, and only those', async () => {
    const sending = await functionsThatSendToNotify();
    // The build saw the writers: the booking's and the trail's, and the sweeper.
    expect(sending).toEqual(expect.arrayContaining(['ScheduleNotifications', 'NotifyTeam', 'MinuteSweeps', 'ChangeBooking']));
    const granted = lambdas.filter((spec) => spec.grants.includes('notifyQueue:send')).map((spec) => spec.name);
    expect(granted).toEqual(sending);
  }, 120_000);
});
