import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AlarmTargets } from './alarms';
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
  });
  Tags.of(stack).add('app', 'jobrelay');
  Tags.of(stack).add('stage', stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
