/**
 * Every function's Lambda bundle from ONE in-process esbuild build (issue 19 item 6). NodejsFunction
 * bundles each function on its own by spawning `npx esbuild` (npm's start-up and a cold esbuild, ~59
 * times per synth); here the first function whose asset CDK stages builds all of them at once with
 * esbuild's JS API and the options of lib/function-definition.ts (`esbuildOptionsOf(LAMBDA_BUNDLING)`),
 * and each asset is that function's output folder, copied by a local bundler. The template does not
 * change: the same `index.mjs` per function (no code splitting: each entry is linked on its own, as
 * a build of one entry), the same output hash (AssetHashType.OUTPUT), the registry `assets` next to it.
 * A stack synthesised without bundling (`aws:cdk:bundling-stacks: []`) builds nothing.
 */
import { AssetHashType, DockerImage, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lambdas, type LambdaSpec } from '../functions/registry';
import { bundlingDefine, esbuildOptionsOf, LAMBDA_BUNDLING } from './function-definition';
import { fromRoot, repoRoot } from './paths';

export interface BundleOptions {
  sourceMaps: boolean;
  xraySdk?: boolean;
}

/** The esbuild options of every function's bundle for a deployment (LAMBDA_BUNDLING; source maps and X-Ray SDK by context). */
export function lambdaBuildOptions(options: BundleOptions) {
  return {
    ...esbuildOptionsOf({ ...LAMBDA_BUNDLING, sourceMap: options.sourceMaps }),
    define: bundlingDefine({ xraySdk: options.xraySdk }),
  };
}

export class PrebuiltBundles {
  /** Output folder per function (siblings of CDK's own `bundling-temp-*`, so source map paths are as deep). */
  private built?: Map<string, string>;

  constructor(
    private readonly scope: Construct,
    private readonly options: BundleOptions,
  ) {}

  /** A function's code: its folder of the one build (built on first use), staged as NodejsFunction stages it. */
  codeOf(spec: LambdaSpec): lambda.Code {
    return lambda.Code.fromAsset(repoRoot, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never run: the local bundler below always answers (CDK requires an image).
        image: DockerImage.fromRegistry('dummy'),
        // Part of CDK's asset cache key, which must differ per function.
        command: ['jobrelay-prebuilt-bundle', spec.name],
        local: { tryBundle: (outputDir) => this.copyTo(spec, outputDir) },
      },
    });
  }

  private copyTo(spec: LambdaSpec, outputDir: string): boolean {
    const dir = this.buildAll().get(spec.name)!;
    cpSync(dir, outputDir, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    // Static files the handler reads at run time (registry `assets`), next to index.mjs.
    for (const asset of spec.assets ?? []) {
      mkdirSync(dirname(join(outputDir, asset)), { recursive: true });
      cpSync(fromRoot(asset), join(outputDir, asset), { recursive: true });
    }
    return true;
  }

  private buildAll(): Map<string, string> {
    if (this.built) return this.built;
    const outdir = Stage.of(this.scope)!.assetOutdir;
    const prefix = `jobrelay-bundle-${randomUUID().slice(0, 8)}-`;
    buildSync({
      ...lambdaBuildOptions(this.options),
      entryPoints: lambdas.map((spec) => ({ in: fromRoot(spec.entry), out: `${prefix}${spec.name}/index` })),
      outdir,
      outExtension: { '.js': '.mjs' },
      absWorkingDir: repoRoot,
      logLevel: 'warning',
    });
    this.built = new Map(lambdas.map((spec) => [spec.name, join(outdir, `${prefix}${spec.name}`)]));
    // A synth that stops half-way leaves no output folders behind.
    const built = this.built;
    process.once('exit', () => {
      for (const dir of built.values()) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    });
    return this.built;
  }
}
