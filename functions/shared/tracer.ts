/**
 * X-Ray tracing for the booking path (registry `isTraced`: the booking route and the workflow
 * nodes, whose functions have active tracing). Only their handlers import this module, so the other
 * bundles stay free of the X-Ray SDK (+123 kB minified per traced bundle, measured 2026-11-29).
 * Responses are not captured: they carry callers' names and phones.
 *
 * The tracer is loaded only inside Lambda (AWS_EXECUTION_ENV): outside it Powertools turns tracing
 * off anyway, and loading the X-Ray SDK costs about a second per cold worker on a busy machine
 * (measured here), which the local runtime would pay on every node of every booking.
 */
import type { MiddlewareObj } from '@middy/core';

const inLambda = (process.env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_');

/**
 * The X-Ray SDK is bundled only when the deployment asks for it (`-c xraySdk=true`): esbuild's
 * `define` (lib/function-definition.ts, LAMBDA_BUNDLING) replaces the variable with a constant, and
 * with `'false'` the branch and its imports are dropped from the bundle (~120 KB and its init). The
 * Lambda service still traces the function (active tracing: initialization, invocation, errors,
 * the link to the workflow's trace); the SDK adds the handler subsegment and annotations.
 */
const active =
  process.env.JOBRELAY_XRAY_SDK === 'true' && inLambda
    ? await Promise.all([import('@aws-lambda-powertools/tracer'), import('@aws-lambda-powertools/tracer/middleware')]).then(
        ([{ Tracer }, { captureLambdaHandler }]) => {
          const tracer = new Tracer({ serviceName: 'jobrelay' });
          return { tracer, middleware: () => captureLambdaHandler(tracer, { captureResponse: false }) as unknown as MiddlewareObj };
        },
      )
    : undefined;

/** The Powertools tracer in Lambda (for subsegments and annotations); undefined elsewhere. */
export const tracer = active?.tracer;

/**
 * The middy middleware (`.use(traceHandler())`): one segment per invocation, cold start annotated,
 * errors recorded; none outside Lambda (middy takes a list, and an empty one adds nothing).
 */
export function traceHandler(): MiddlewareObj[] {
  return active ? [active.middleware()] : [];
}
