import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AlarmTargets } from './alarms';
import type { DeploymentOptions } from './functions';
import { JobRelayStack } from './jobrelay-stack';

export interface JobRelayApp {
  app: App;
  stack: JobRelayStack;
}

/**
 * Where alarms go: `-c alarmEmail=ops@example.com` and optionally `-c alarmWebhookUrl=https://...`.
 * A malformed value stops the synth with its name, rather than deploying alarms to nowhere.
 */
export function alarmTargetsFromContext(app: App): AlarmTargets {
  const email = app.node.tryGetContext('alarmEmail') as string | undefined;
  const webhook = app.node.tryGetContext('alarmWebhookUrl') as string | undefined;
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new Error(`context alarmEmail: "${email}" is not an email address`);
  }
  if (webhook !== undefined && !/^https:\/\/[^\s]+$/.test(webhook)) {
    throw new Error('context alarmWebhookUrl: expected an https URL');
  }
  return { ...(email ? { alarmEmail: email } : {}), ...(webhook ? { alarmWebhookUrl: webhook } : {}) };
}

/**
 * Deployment choices a context parameter makes (all off by default):
 * - `-c sourceMaps=true`: bundles carry source maps and functions run with --enable-source-maps
 *   (readable stack traces; a slower cold start).
 * - `-c provisionedConcurrency=N`: the booking chain (CreateBooking and every function the booking
 *   workflow calls) answers through a `live` alias with N warm environments, for tenants who need a
 *   guaranteed first call; it costs by the hour whether used or not.
 * - `-c xraySdk=true`: the traced functions (booking path) bundle the X-Ray SDK (Powertools tracer)
 *   for a handler subsegment and annotations; ~120 KB and its init per traced function. Without it
 *   the Lambda service still traces them (active tracing).
 */
export function deploymentOptionsFromContext(app: App): DeploymentOptions {
  const sourceMaps = app.node.tryGetContext('sourceMaps') as string | boolean | undefined;
  const provisioned = app.node.tryGetContext('provisionedConcurrency') as string | number | undefined;
  const xraySdk = app.node.tryGetContext('xraySdk') as string | boolean | undefined;
  if (xraySdk !== undefined && !['true', 'false', true, false].includes(xraySdk)) {
    throw new Error(`context xraySdk: "${xraySdk}" is not true or false`);
  }
  if (sourceMaps !== undefined && !['true', 'false', true, false].includes(sourceMaps)) {
    throw new Error(`context sourceMaps: "${sourceMaps}" is not true or false`);
  }
  const concurrency = provisioned === undefined ? 0 : Number(provisioned);
  if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > 100) {
    throw new Error(`context provisionedConcurrency: "${provisioned}" is not a whole number from 0 to 100`);
  }
  return { sourceMaps: sourceMaps === true || sourceMaps === 'true', provisionedConcurrency: concurrency, xraySdk: xraySdk === true || xraySdk === 'true' };
}

/**
 * The app as `cdk synth` builds it: one env-agnostic stack (no context lookups, synth works offline)
 * with cdk-nag's AwsSolutions pack as a validation plugin. Shared by bin/jobrelay.ts and the infra tests.
 */
export function buildApp(props: AppProps = {}): JobRelayApp {
  const app = new App(props);
  const stage = (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
  const stack = new JobRelayStack(app, 'JobRelay', {
    stackName: `JobRelay-${stage}`,
    description: `JobRelay booking relay (${stage})`,
    alarms: alarmTargetsFromContext(app),
    deployment: deploymentOptionsFromContext(app),
  });
  Tags.of(stack).add('app', 'jobrelay');
  Tags.of(stack).add('stage', stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
