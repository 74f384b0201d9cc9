/**
 * The SQS client and the two commands the crm-sync outbox rings its doorbell with. outbox-store.ts
 * loads this module on the first doorbell, not at init: the booking functions that import the outbox
 * (CreateBooking, WriteCrm) ring it only when a CRM write fails (issue 19). A module of its own so
 * that the bundle keeps only these two commands (a dynamic import of the SDK package keeps them all).
 */
export { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
export { sqsClient } from '../shared/queue-client';
