/**
 * What every SQS worker wraps around its record handler (ENGINEERING.md: a worker that fails a
 * message for the last time writes a review item with the error first; the message then moves to
 * the DLQ). Wrapping the whole record handler, not the part inside its own try, is what makes it
 * "whatever threw": a body that does not parse, a read that fails, a missing address.
 * - An error that retrying cannot cure (`isFinal`: refused, unaddressable, malformed) is reviewed at
 *   once and the record is done: no five receives into the DLQ; its review item keeps what a
 *   redrive needs.
 * - Any other error on the record's last receive (ApproximateReceiveCount at the DLQ limit) is
 *   reviewed, then the record fails once more and SQS moves it to the DLQ.
 * Used with Powertools' BatchProcessor (partial batch responses): one record never fails another.
 */
import type { SQSRecord } from 'aws-lambda';
import * as z from './zod';
import { deadLetterPolicy } from '../registry';
import { logger } from './logger';

export interface FailedRecord {
  record: SQSRecord;
  error: Error;
  /** How many times SQS has handed this record out. */
  attempts: number;
  /** Reviewed before the retries ran out because retrying cannot help. */
  final: boolean;
  /** Tenant and booking the body names, read leniently (the body may not have parsed). */
  subject?: { tenantId: string; bookingId: string };
}

const SubjectSchema = z.object({ tenantId: z.string().min(1).max(64), bookingId: z.string().min(1).max(200) });

/** The tenant and booking a message body names, when it names them (no schema beyond that). */
export function subjectOf(record: SQSRecord): FailedRecord['subject'] {
  try {
    const parsed = SubjectSchema.safeParse(JSON.parse(record.body));
    return parsed.success ? { tenantId: parsed.data.tenantId, bookingId: parsed.data.bookingId } : undefined;
  } catch {
    return undefined;
  }
}

/** An error's text for a person: its name and message, one paragraph, never a stack. */
export function readableError(error: Error, max = 500): string {
  const text = `${error.name}: ${error.message}`.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function reviewedRecordHandler(
  handle: (record: SQSRecord) => Promise<void>,
  options: {
    /** The worker's name, for logs. */
    worker: string;
    /** Opens (at most one) review item for the failed record. */
    review: (failed: FailedRecord) => Promise<void>;
    /** Errors retrying cannot cure. */
    isFinal?: (error: Error) => boolean;
  },
): (record: SQSRecord) => Promise<void> {
  return async (record) => {
    try {
      await handle(record);
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      const attempts = Number(record.attributes?.ApproximateReceiveCount ?? '1');
      const final = options.isFinal?.(error) ?? false;
      const subject = subjectOf(record);
      if (final || attempts >= deadLetterPolicy.maxReceiveCount) {
        try {
          await options.review({ record, error, attempts, final, subject });
        } catch (reviewError) {
          // The record still fails into the DLQ (whose depth alarm a person sees).
          logger.error(`${options.worker}: could not write the review item`, { messageId: record.messageId, ...subject, error: (reviewError as Error).name });
          throw error;
        }
        if (final) return;
      }
      logger.warn(`${options.worker}: record failed, SQS will retry it`, {
        messageId: record.messageId,
        ...subject,
        attempts,
        error: error.name,
        cause: error.message.slice(0, 300),
      });
      throw error;
    }
  };
}
