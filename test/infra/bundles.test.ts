/**
 * What the Lambda bundles leave out (lib/function-definition.ts, LAMBDA_BUNDLING; issue 19 item 2):
 * bundled in memory with esbuild, the same options the CDK gives NodejsFunction. Sizes and contents
 * of esbuild output are deterministic, so these are checks, not timings.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app';
import { bundlingDefine, esbuildOptionsOf, LAMBDA_BUNDLING } from '../../lib/function-definition';
import { repoRoot } from '../../lib/paths';
import { isTraced, lambdas } from '../../functions/registry';

async function bundle(name: string, define: Record<string, string> = { ...LAMBDA_BUNDLING.define }) {
  const spec = lambdas.find((l) => l.name === name)!;
  const result = await build({
    ...esbuildOptionsOf(LAMBDA_BUNDLING),
    define,
    entryPoints: [resolve(repoRoot, spec.entry)],
    outfile: resolve(repoRoot, '.jobrelay', 'bundles-test', name, 'index.mjs'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return { inputs: Object.keys(output.inputs), externals: output.imports.filter((i) => i.external).map((i) => i.path), bytes: output.bytes };
}

const xray = (path: string) => /node_modules\/(@aws-lambda-powertools\/tracer|aws-xray-sdk-core)\//.test(path);

describe('Lambda bundles', () => {
  it('a traced booking node carries no X-Ray SDK by default, and carries it with -c xraySdk=true', async () => {
    expect(isTraced(lambdas.find((l) => l.name === 'CommitSlot')!)).toBe(true);
    const lean = await bundle('CommitSlot');
    expect(lean.inputs.filter(xray)).toEqual([]);
    const traced = await bundle('CommitSlot', bundlingDefine({ xraySdk: true }));
    expect(traced.inputs.some(xray)).toBe(true);
    expect(traced.bytes - lean.bytes).toBeGreaterThan(50 * 1024);
  });

  it('leaves the AWS SDK and source-map (Handlebars compiles without it) to the runtime', async () => {
    const notify = await bundle('NotifyWorker');
    expect(notify.inputs.some((p) => p.includes('node_modules/handlebars/'))).toBe(true);
    expect(notify.inputs.filter((p) => /node_modules\/(source-map|@aws-sdk)\//.test(p))).toEqual([]);
    expect(notify.externals).toContain('source-map');
  });

  it('the booking chain carries no luxon, and phone readers only the +1 phone metadata (functions/shared/zoned-time.ts, recognise/phone.ts)', async () => {
    for (const name of ['CreateBooking', 'RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'WriteCrm', 'CommitSlot', 'ScheduleNotifications']) {
      const { inputs } = await bundle(name);
      expect(inputs.filter((p) => p.includes('node_modules/luxon/'))).toEqual([]);
      expect(inputs.filter((p) => p.includes('node_modules/libphonenumber-js/metadata'))).toEqual([]);
    }
    expect((await bundle('RecogniseCustomer')).inputs).toContain('functions/recognise/phone-metadata.json');
  });

  it('refuses a malformed -c xraySdk by name', () => {
    expect(() => buildApp({ context: { 'aws:cdk:bundling-stacks': [], xraySdk: 'yes' } })).toThrow(/xraySdk/);
  });
});
