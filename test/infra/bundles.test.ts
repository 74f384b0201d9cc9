/**
 * What the Lambda bundles carry and leave out (lib/function-definition.ts, LAMBDA_BUNDLING; issue 19 item 2):
 * bundled in memory with esbuild, the same options the CDK gives NodejsFunction. Sizes and contents
 * of esbuild output are deterministic, so these are checks, not timings.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app';
import { lambdaBuildOptions } from '../../lib/bundles';
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
    expect(isTraced(lambdas.find((l) => l.name === 'BookingNodes')!)).toBe(true);
    const lean = await bundle('BookingNodes');
    expect(lean.inputs.filter(xray)).toEqual([]);
    const traced = await bundle('BookingNodes', bundlingDefine({ xraySdk: true }));
    expect(traced.inputs.some(xray)).toBe(true);
    expect(traced.bytes - lean.bytes).toBeGreaterThan(50 * 1024);
  });

  it('carries the AWS SDK without its default credential chain, and leaves source-map out (Handlebars compiles without it)', async () => {
    const notify = await bundle('NotifyWorker');
    expect(notify.inputs.some((p) => p.includes('node_modules/handlebars/'))).toBe(true);
    expect(notify.inputs.filter((p) => /node_modules\/source-map\//.test(p))).toEqual([]);
    expect(notify.externals).toContain('source-map');
    expect(notify.externals.filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
    expect(notify.inputs.some((p) => p.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(notify.inputs).toContain('functions/shared/lambda-credentials.ts');
    // STS, SSO, ini files, instance metadata: sources a Lambda function never reads.
    expect(
      notify.inputs.filter((p) => /node_modules\/@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|http)|nested-clients)\//.test(p)),
    ).toEqual([]);
  });

  it("a bundled SDK client signs with the environment's credentials (Lambda puts the role's there)", async () => {
    const outfile = resolve(repoRoot, '.jobrelay', 'bundles-test', 'credentials', 'index.mjs');
    await build({
      ...esbuildOptionsOf(LAMBDA_BUNDLING),
      stdin: { contents: "export { documentClient } from './functions/shared/clients';", resolveDir: repoRoot, loader: 'ts' },
      outfile,
      logLevel: 'silent',
    });
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLE',
      AWS_SECRET_ACCESS_KEY: 'bundle-secret',
      AWS_SESSION_TOKEN: 'bundle-token',
      AWS_REGION: 'us-east-1',
    });
    try {
      const { documentClient } = (await import(pathToFileURL(outfile).href)) as typeof import('../../functions/shared/clients');
      const credentials = await documentClient().config.credentials();
      expect(credentials).toMatchObject({ accessKeyId: 'AKIDBUNDLE', secretAccessKey: 'bundle-secret', sessionToken: 'bundle-token' });
    } finally {
      process.env = saved;
    }
  });

  it('the booking chain carries no luxon, and phone readers only the +1 phone metadata (functions/shared/zoned-time.ts, recognise/phone.ts)', async () => {
    for (const name of ['CreateBooking', 'BookingNodes', 'WriteCrm', 'ScheduleNotifications']) {
      const { inputs } = await bundle(name);
      expect(inputs.filter((p) => p.includes('node_modules/luxon/'))).toEqual([]);
      expect(inputs.filter((p) => p.includes('node_modules/libphonenumber-js/metadata'))).toEqual([]);
    }
    expect((await bundle('BookingNodes')).inputs).toContain('functions/recognise/phone-metadata.json');
  });

  it('one build of several functions gives each the index.mjs a build of that function alone gives (lib/bundles.ts: same assets, same template)', async () => {
    const options = lambdaBuildOptions({ sourceMaps: false });
    const outdir = resolve(repoRoot, '.jobrelay', 'bundles-test', 'all');
    // A few functions that share most of their modules (synthesis builds all of them the same way).
    const names = ['BookingNodes', 'NotifyWorker', 'DispatchPlan', 'CreateBooking'];
    const all = await build({
      ...options,
      entryPoints: names.map((name) => ({ in: resolve(repoRoot, lambdas.find((l) => l.name === name)!.entry), out: `${name}/index` })),
      outdir,
      outExtension: { '.js': '.mjs' },
      absWorkingDir: repoRoot,
      write: false,
      logLevel: 'silent',
    });
    const together = new Map(all.outputFiles.map((file) => [file.path, file.text]));
    expect(together.size).toBe(names.length);
    for (const name of names) {
      const spec = lambdas.find((l) => l.name === name)!;
      // As NodejsFunction built it: one entry, `--outfile=<dir>/index.mjs`.
      const alone = await build({
        ...options,
        entryPoints: [resolve(repoRoot, spec.entry)],
        outfile: resolve(repoRoot, '.jobrelay', 'bundles-test', 'alone', name, 'index.mjs'),
        absWorkingDir: repoRoot,
        write: false,
        logLevel: 'silent',
      });
      const text = together.get(resolve(outdir, name, 'index.mjs'));
      expect(text?.length, name).toBe(alone.outputFiles[0]!.text.length);
      expect(text === alone.outputFiles[0]!.text, name).toBe(true);
    }
  });

  it('refuses a malformed -c xraySdk by name', () => {
    expect(() => buildApp({ context: { 'aws:cdk:bundling-stacks': [], xraySdk: 'yes' } })).toThrow(/xraySdk/);
  });
});
