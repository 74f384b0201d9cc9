/** DynamoDB helpers every store shares. */
import { QueryCommand, type DeleteCommand, type PutCommand, type QueryCommandInput, type TransactWriteCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';
import { isConditionalCheckFailed } from './errors';

/**
 * Sends a conditional write: true when it was applied, false when its condition (or a transaction's)
 * did not hold. Any other failure is thrown. The one place that turns a lost race into a boolean.
 */
export async function sendConditional(command: PutCommand | UpdateCommand | DeleteCommand | TransactWriteCommand): Promise<boolean> {
  try {
    // One overload per command type: send each through the client as the union it is.
    await documentClient().send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * The pages of a Query, one array of items at a time, following LastEvaluatedKey. Callers that need
 * only so many items stop iterating (`break`) and no further page is read.
 */
export async function* queryPages(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): AsyncGenerator<Array<Record<string, any>>> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
