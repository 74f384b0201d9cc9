/**
 * `npm run bench cold`: every function's bundle as synthesised (`npx cdk synth -q` first: the assets
 * in `cdk.out`, or `CDK_OUT=<dir>`), else bundled here with the same options (lib/function-definition.ts,
 * LAMBDA_BUNDLING); its size, and its init measured here: a fresh Node
 * process importing the bundle (module evaluation, the SDK clients it loads), median of a few runs.
 * Lambda adds its own sandbox start to each cold init, which this machine cannot measure: the
 * all-cold booking chain below adds an assumed figure per function, printed as such.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsOf, LAMBDA_BUNDLING } from '../lib/function-definition';
import { lambdas } from '../functions/registry';
import { recordFigure } from './common';

const repoRoot = resolve(import.meta.dirname, '..');
// Inside the repository, so that a module a bundle leaves out (LAMBDA_BUNDLING.externalModules) resolves.
// The AWS SDK is bundled (not the runtime's copy): its load is part of every init measured here.
const outRoot = join(repoRoot, '.jobrelay', 'bench-cold');
/** Fresh imports per function (`COLD_RUNS=9 npm run bench cold` on a busy machine: the median steadies). */
const RUNS = Math.max(1, Number(process.env.COLD_RUNS ?? 3) | 0);
const TARGET = { bundleKb: 200, initMs: 120, chainMs: 1500 };
/** Lambda's own cold start before the handler module loads (sandbox + runtime): an assumption, not measured here. */
const ASSUMED_SANDBOX_START_MS = 150;

/**
 * Init of a bundle: wall time, and the CPU time of the import (user + system), which a busy shared
 * machine inflates far less than the wall time (a waiting process uses no CPU). Medians of RUNS.
 */
function initMs(file: string): { ms: number; cpuMs: number } {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(file)}); const d = process.cpuUsage(c); process.stdout.write(JSON.stringify([performance.now() - t, (d.user + d.system) / 1000]));`;
  const runs = Array.from(
    { length: RUNS },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: repoRoot,
          env: { ...process.env, TABLE_NAME: 'bench', AWS_REGION: 'us-east-1', LOG_LEVEL: 'ERROR' },
          encoding: 'utf8',
        }),
      ) as [number, number],
  );
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  return { ms: median(runs.map((r) => r[0])), cpuMs: median(runs.map((r) => r[1])) };
}

/**
 * The functions an all-cold booking starts, in order: the route, then the function of each Task on the
 * booking workflow's happy path. A function that already ran in this booking is warm when a later Task
 * calls it again (BookingNodes runs four of them): it is counted once.
 */
function bookingChain(): string[] {
  const asl = JSON.parse(readFileSync(join(repoRoot, 'state-machines/booking.asl.json'), 'utf8')) as { States: Record<string, { Resource?: string }> };
  const happyPath = ['RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'WriteCrm', 'CommitSlot', 'ScheduleNotifications'];
  const functions = happyPath.map((state) => /^\$\{(\w+)FunctionArn\}$/.exec(asl.States[state]?.Resource ?? '')?.[1]);
  if (functions.some((name) => !name)) throw new Error(`bench cold: a happy-path state of booking.asl.json is not a Lambda Task: ${happyPath.join(', ')}`);
  return [...new Set(['CreateBooking', ...(functions as string[])])];
}

/** Each function's bundle in a synthesised cloud assembly (`aws:asset:path` of its AWS::Lambda::Function), by registry name. */
function synthesisedBundles(cdkOut: string): Map<string, string> | undefined {
  const template = join(cdkOut, 'JobRelay.template.json');
  if (!existsSync(template)) return undefined;
  type Resource = { Type: string; Metadata?: Record<string, string> };
  const resources = Object.values((JSON.parse(readFileSync(template, 'utf8')) as { Resources: Record<string, Resource> }).Resources);
  const bundles = new Map<string, string>();
  for (const r of resources) {
    const name = /\/Functions\/(\w+)\/Resource$/.exec(r.Metadata?.['aws:cdk:path'] ?? '')?.[1];
    const asset = r.Metadata?.['aws:asset:path'];
    if (r.Type === 'AWS::Lambda::Function' && name && asset && existsSync(join(cdkOut, asset, 'index.mjs')))
      bundles.set(name, join(cdkOut, asset, 'index.mjs'));
  }
  return bundles.size ? bundles : undefined;
}

/**
 * `COLD_SDK=runtime npm run bench cold`: bundles as before 2026-11-30, the AWS SDK left to the
 * Lambda runtime's copy (here node_modules' `dist-cjs`, as in Lambda), for comparison.
 */
const runtimeSdk = process.env.COLD_SDK === 'runtime';
const bundling = runtimeSdk ? { ...LAMBDA_BUNDLING, externalModules: ['@aws-sdk/*', ...LAMBDA_BUNDLING.externalModules], alias: {} } : LAMBDA_BUNDLING;

export async function benchCold(): Promise<void> {
  rmSync(outRoot, { recursive: true, force: true });
  const cdkOut = resolve(repoRoot, process.env.CDK_OUT ?? 'cdk.out');
  const synthesised = runtimeSdk ? undefined : synthesisedBundles(cdkOut);
  console.log(
    synthesised
      ? `\nBundles from ${cdkOut} (synthesised ${statSync(join(cdkOut, 'JobRelay.template.json')).mtime.toISOString()})`
      : runtimeSdk
        ? '\nCOLD_SDK=runtime: bundling here with LAMBDA_BUNDLING, the AWS SDK left out'
        : `\nNo synthesised bundles in ${cdkOut} (run \`npx cdk synth -q\` first): bundling here with LAMBDA_BUNDLING`,
  );
  const rows: Array<{ name: string; kb: number; ms: number; cpuMs: number }> = [];
  for (const spec of lambdas) {
    const dir = join(outRoot, spec.name);
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'index.mjs');
    // Copied into the repository either way, so a left-out module resolves as in Lambda.
    const asset = synthesised?.get(spec.name);
    if (asset) copyFileSync(asset, outfile);
    else await build({ ...esbuildOptionsOf(bundling), entryPoints: [resolve(repoRoot, spec.entry)], outfile, logLevel: 'silent' });
    rows.push({ name: spec.name, kb: statSync(outfile).size / 1024, ...initMs(outfile) });
  }
  rows.sort((a, b) => b.kb - a.kb);
  console.log(
    `\n## Cold path: ${rows.length} functions bundled as for Lambda (source maps ${LAMBDA_BUNDLING.sourceMap ? 'on' : 'off'}, AWS SDK ${runtimeSdk ? "the runtime's (COLD_SDK=runtime)" : 'bundled'}, external: ${bundling.externalModules.join(', ')}), init = median of ${RUNS} fresh imports`,
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores: on a busy machine read the CPU column`,
  );
  console.log('function                         bundle KB   init ms  init CPU ms');
  for (const r of rows) {
    console.log(`${r.name.padEnd(32)} ${r.kb.toFixed(0).padStart(9)} ${r.ms.toFixed(0).padStart(9)} ${r.cpuMs.toFixed(0).padStart(12)}`);
  }
  const sizes = rows.map((r) => r.kb).sort((a, b) => a - b);
  const inits = rows.map((r) => r.ms).sort((a, b) => a - b);
  const cpus = rows.map((r) => r.cpuMs).sort((a, b) => a - b);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  console.log(
    `bundle KB: median ${median(sizes).toFixed(0)}, max ${sizes.at(-1)!.toFixed(0)} (target <= ${TARGET.bundleKb}); over target: ${rows.filter((r) => r.kb > TARGET.bundleKb).length}`,
  );
  console.log(
    `init ms: median ${median(inits).toFixed(0)}, max ${inits.at(-1)!.toFixed(0)} (target <= ${TARGET.initMs}); over target: ${rows.filter((r) => r.ms > TARGET.initMs).length}`,
  );
  console.log(
    `init CPU ms: median ${median(cpus).toFixed(0)}, max ${cpus.at(-1)!.toFixed(0)} (target <= ${TARGET.initMs}); over target: ${rows.filter((r) => r.cpuMs > TARGET.initMs).length}`,
  );
  const chain = bookingChain();
  const chainInit = chain.reduce((sum, name) => sum + rows.find((r) => r.name === name)!.ms, 0);
  const chainCpu = chain.reduce((sum, name) => sum + rows.find((r) => r.name === name)!.cpuMs, 0);
  const sandbox = chain.length * ASSUMED_SANDBOX_START_MS;
  console.log(
    `all-cold booking chain (${chain.length} functions: ${chain.join(' -> ')}): init ${chainInit.toFixed(0)} ms measured (CPU ${chainCpu.toFixed(0)} ms) + ${chain.length} x ${ASSUMED_SANDBOX_START_MS} ms assumed sandbox start = ~${(chainInit + sandbox).toFixed(0)} ms (by CPU ~${(chainCpu + sandbox).toFixed(0)} ms) (target <= ${TARGET.chainMs})`,
  );
  recordFigure({
    figure: 'bundle per function (median, max)',
    now: `${median(sizes).toFixed(0)} KB, ${sizes.at(-1)!.toFixed(0)} KB`,
    target: `<= ${TARGET.bundleKb} KB`,
    met: sizes.at(-1)! <= TARGET.bundleKb,
  });
  recordFigure({
    figure: 'cold init per function, CPU (median, max)',
    now: `${median(cpus).toFixed(0)} ms, ${cpus.at(-1)!.toFixed(0)} ms`,
    target: `<= ${TARGET.initMs} ms`,
    met: cpus.at(-1)! <= TARGET.initMs,
  });
  recordFigure({
    figure: `all-cold booking chain (${chain.length} functions, ${ASSUMED_SANDBOX_START_MS} ms sandbox start assumed each)`,
    now: `~${(chainInit + sandbox).toFixed(0)} ms (by CPU ~${(chainCpu + sandbox).toFixed(0)} ms)`,
    target: `<= ${TARGET.chainMs} ms`,
    met: chainInit + sandbox <= TARGET.chainMs,
  });
  await benchTenantFirstParse();
  rmSync(outRoot, { recursive: true, force: true });
}

/**
 * The tenant model builds its schemas on first use (functions/shared/lazy-shape.ts), so the init
 * above leaves out what the first invocation of a function that parses a whole tenant pays: the
 * import of the model alone, and its first and second `TenantSchema.parse` (CPU ms, medians).
 */
async function benchTenantFirstParse(): Promise<void> {
  const dir = join(outRoot, 'tenant-first-parse');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.ts');
  const outfile = join(dir, 'index.mjs');
  writeFileSync(
    entry,
    `const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = cpu();
const { TenantSchema } = await import(${JSON.stringify(join(repoRoot, 'functions/tenant/model.ts'))});
const t1 = cpu();
const stored = { tenantId: 'bench', name: 'Bench', timeZone: 'America/Chicago', arrivalWindows: [{ start: '08:00', end: '10:00' }] };
TenantSchema.parse(stored);
const t2 = cpu();
TenantSchema.parse(stored);
process.stdout.write(JSON.stringify([t1 - t0, t2 - t1, cpu() - t2]));`,
  );
  await build({ ...esbuildOptionsOf(bundling), entryPoints: [entry], outfile, logLevel: 'silent' });
  const runs = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(process.execPath, [outfile], { cwd: repoRoot, encoding: 'utf8' })) as number[]);
  const median = (i: number) =>
    runs
      .map((r) => r[i]!)
      .sort((a, b) => a - b)
      [Math.floor(RUNS / 2)]!.toFixed(0);
  console.log(
    `tenant model (schemas built on first use): import ${median(0)} ms CPU, first TenantSchema.parse ${median(1)} ms, next ${median(2)} ms (the first parse is paid by the first invocation of a function that reads a whole tenant)`,
  );
}
