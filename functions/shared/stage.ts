/**
 * Where this code runs. The local runtime says so explicitly (`JOBRELAY_STAGE=local`, set by
 * local/runtime.ts, never by CDK); anything else is AWS. Never guessed from endpoints or credentials:
 * a deployed function that lost a variable must behave as production (real providers, or a setup
 * warning), never fall back to the local fakes.
 */
export const STAGE_ENV = 'JOBRELAY_STAGE';

export function isLocalStage(): boolean {
  return process.env[STAGE_ENV] === 'local';
}
