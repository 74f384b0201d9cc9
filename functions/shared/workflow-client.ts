/** The Step Functions client, shared by every handler in the same Lambda (or local process); see clients.ts. */
import { SFNClient } from '@aws-sdk/client-sfn';

let sfn: SFNClient | undefined;

export function sfnClient(): SFNClient {
  // StartSyncExecution goes to the `sync-` host prefix in AWS; a custom endpoint (local) has none.
  sfn ??= new SFNClient({ disableHostPrefix: Boolean(process.env.AWS_ENDPOINT_URL_SFN) });
  return sfn;
}
