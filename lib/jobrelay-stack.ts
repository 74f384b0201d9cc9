import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms, type AlarmTargets } from './alarms';
import { Api } from './api';
import { Data } from './data';
import { Functions, type DeploymentOptions } from './functions';
import { Queues } from './queues';
import { Schedules } from './schedules';
import { Workflows } from './workflows';

/**
 * The whole JobRelay deployment. Everything is driven by functions/registry.ts; this file only
 * wires the concerns together. No business logic here.
 */
export class JobRelayStack extends Stack {
  readonly data: Data;
  readonly queues: Queues;
  readonly functions: Functions;
  readonly workflows: Workflows;
  readonly api: Api;
  readonly schedules: Schedules;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props?: StackProps & { alarms?: AlarmTargets; deployment?: DeploymentOptions }) {
    super(scope, id, props);
    this.data = new Data(this, 'Data');
    this.queues = new Queues(this, 'Queues');
    this.functions = new Functions(this, 'Functions', { table: this.data.table, deployment: props?.deployment });
    this.workflows = new Workflows(this, 'Workflows', { functions: this.functions, deadLetterQueue: this.queues.asyncTargetsDlq });
    this.functions.applyGrants({
      table: this.data.table,
      queues: this.queues,
      stateMachineOf: (name) => this.workflows.byName(name),
    });
    this.queues.attachConsumers((name) => this.functions.get(name));
    this.api = new Api(this, 'Api', { functions: this.functions });
    this.schedules = new Schedules(this, 'Schedules', { functions: this.functions, deadLetterQueue: this.queues.asyncTargetsDlq });
    this.alarms = new Alarms(this, 'Alarms', {
      queues: this.queues,
      workflows: this.workflows,
      api: this.api,
      functions: this.functions,
      targets: props?.alarms,
    });

    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    for (const { spec, stateMachine } of this.workflows.all) {
      new CfnOutput(this, `${spec.name[0]!.toUpperCase()}${spec.name.slice(1)}StateMachineArn`, { value: stateMachine.stateMachineArn });
    }
    new CfnOutput(this, 'OpsTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.alarms.dashboard.dashboardName });
  }
}
