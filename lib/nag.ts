/**
 * Helpers for cdk-nag 3 acknowledgements (CDK `Validations.of(...).acknowledge`). Findings of rules
 * that report several findings per resource (IAM4, IAM5) are acknowledged one by one, by the exact
 * finding text cdk-nag renders (references flattened to `<LogicalId.Attr>`).
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

/** The logical id cdk-nag prints inside `<...>` for a resource's reference. */
export function logicalIdOf(resource: IConstruct): string {
  const element = resource instanceof CfnElement ? resource : (resource.node.defaultChild as CfnElement | undefined);
  if (!element) throw new Error(`${resource.node.path} has no CloudFormation resource`);
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** `AwsSolutions-IAM5[Resource::<Fn.Arn>:*]`, the finding a Lambda `grantInvoke` produces. */
export function ackInvokeVersions(scope: IConstruct, fn: IConstruct, reason: string): void {
  acknowledge(scope, `IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`, reason);
}
