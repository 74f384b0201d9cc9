/**
 * Structured JSON logs (Powertools). Never log phones, emails or addresses at info level: log ids.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: 'jobrelay',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'SILENT' | undefined) ?? 'INFO',
  // The functions of a capability share one log group (lib/functions.ts): each line names its function.
  ...(process.env.AWS_LAMBDA_FUNCTION_NAME ? { persistentKeys: { function: process.env.AWS_LAMBDA_FUNCTION_NAME } } : {}),
});
