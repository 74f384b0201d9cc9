import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { JobRelayStack } from './jobrelay-stack';

export interface JobRelayApp {
  app: App;
  stack: JobRelayStack;
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
  });
  Tags.of(stack).add('app', 'jobrelay');
  Tags.of(stack).add('stage', stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
