/**
 * `npm run bench cold`: every function bundled as the CDK bundles it for Lambda (the options in
 * lib/function-definition.ts, LAMBDA_BUNDLING), its size, and its init measured here: a fresh Node
 * process importing the bundle (module evaluation, the SDK clients it loads), median of a few runs.
 * Lambda adds its own sandbox start to each cold init, which this machine cannot measure: the
 * all-cold booking chain below adds an assumed figure per function, printed as such.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsOf, LAMBDA_BUNDLING } from '../lib/function-definition';
import { lambdas } from '../functions/registry';

const repoRoot = resolve(import.meta.dirname, '..');
// Inside the repository, so `@aws-sdk/*` (left out of the bundle, as the Lambda runtime provides it) resolves.
const outRoot = join(repoRoot, '.jobrelay', 'bench-cold');
const RUNS = 3;
const TARGET = { bundleKb: 200, initMs: 120, chainMs: 1500 };
/** Lambda's own cold start before the handler module loads (sandbox + runtime): an assumption, not measured here. */
const ASSUMED_SANDBOX_START_MS = 150;

function initMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const runs = Array.from({ length: RUNS }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, TABLE_NAME: 'bench', AWS_REGION: 'us-east-1', LOG_LEVEL: 'ERROR' },
        encoding: 'utf8',
      }),
    ),
  );
  return runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

/** The functions a booking runs through in a row: the route, then each Task of the booking workflow. */
function bookingChain(): string[] {
  const asl = readFileSync(join(repoRoot, 'state-machines/booking.asl.json'), 'utf8');
  const tasks = [...asl.matchAll(/"\$\{(\w+)FunctionArn\}"/g)].map((m) => m[1]!);
  const happyPath = ['RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'WriteCrm', 'CommitSlot', 'ScheduleNotifications'];
  return ['CreateBooking', ...happyPath.filter((name) => tasks.includes(name))];
}

export async function benchCold(): Promise<void> {
  rmSync(outRoot, { recursive: true, force: true });
  const rows: Array<{ name: string; kb: number; ms: number }> = [];
  for (const spec of lambdas) {
    const dir = join(outRoot, spec.name);
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'index.mjs');
    await build({ ...esbuildOptionsOf(LAMBDA_BUNDLING), entryPoints: [resolve(repoRoot, spec.entry)], outfile, logLevel: 'silent' });
    rows.push({ name: spec.name, kb: statSync(outfile).size / 1024, ms: initMs(outfile) });
  }
  rows.sort((a, b) => b.kb - a.kb);
  console.log(
    `\n## Cold path: ${rows.length} functions bundled as for Lambda (source maps ${LAMBDA_BUNDLING.sourceMap ? 'on' : 'off'}), init = median of ${RUNS} fresh imports`,
  );
  console.log('function                         bundle KB   init ms');
  for (const r of rows) console.log(`${r.name.padEnd(32)} ${r.kb.toFixed(0).padStart(9)} ${r.ms.toFixed(0).padStart(9)}`);
  const sizes = rows.map((r) => r.kb).sort((a, b) => a - b);
  const inits = rows.map((r) => r.ms).sort((a, b) => a - b);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  console.log(
    `bundle KB: median ${median(sizes).toFixed(0)}, max ${sizes.at(-1)!.toFixed(0)} (target <= ${TARGET.bundleKb}); over target: ${rows.filter((r) => r.kb > TARGET.bundleKb).length}`,
  );
  console.log(
    `init ms: median ${median(inits).toFixed(0)}, max ${inits.at(-1)!.toFixed(0)} (target <= ${TARGET.initMs}); over target: ${rows.filter((r) => r.ms > TARGET.initMs).length}`,
  );
  const chain = bookingChain();
  const chainInit = chain.reduce((sum, name) => sum + rows.find((r) => r.name === name)!.ms, 0);
  console.log(
    `all-cold booking chain (${chain.length} functions: ${chain.join(' -> ')}): init ${chainInit.toFixed(0)} ms measured + ${chain.length} x ${ASSUMED_SANDBOX_START_MS} ms assumed sandbox start = ~${(chainInit + chain.length * ASSUMED_SANDBOX_START_MS).toFixed(0)} ms (target <= ${TARGET.chainMs})`,
  );
  rmSync(outRoot, { recursive: true, force: true });
}
