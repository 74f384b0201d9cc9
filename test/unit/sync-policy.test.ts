/** The one CRM-sync policy (crm/sync-policy.ts): what a failed CRM write means at each call site. */
import { describe, expect, it } from 'vitest';
import { crmFailureKind, crmSyncSchedule, decideCrmFailure } from '../../functions/crm/sync-policy';
import {
  CrmRejectedError,
  CrmUnavailableError,
  InvariantError,
  isErrorOf,
  PermanentError,
  RetryableError,
  TransientError,
} from '../../functions/shared/errors';

const at = new Date('2026-11-29T12:00:00Z');
const schedule = crmSyncSchedule(undefined);

describe('CRM failure kinds', () => {
  it('only a refusal is a refusal, whether thrown here or named by a workflow failure', () => {
    expect(crmFailureKind(new CrmRejectedError('HTTP 422'))).toBe('refused');
    expect(crmFailureKind('CrmRejectedError')).toBe('refused');
    expect(crmFailureKind(new CrmUnavailableError('HTTP 503'))).toBe('unavailable');
    for (const timeout of ['CrmUnavailableError', 'States.Timeout', 'Sandbox.Timedout', 'TimeoutError']) expect(crmFailureKind(timeout)).toBe('unavailable');
    expect(crmFailureKind(new TypeError('boom'))).toBe('crashed');
    expect(crmFailureKind('Lambda.Unknown')).toBe('crashed');
    expect(crmFailureKind(new InvariantError('no customer'))).toBe('crashed');
  });
});

describe('decideCrmFailure', () => {
  it('inline: refused -> review now; unavailable, timed out or crashed -> outbox after the first backoff', () => {
    expect(decideCrmFailure('CrmRejectedError', { site: 'inline', at, schedule })).toMatchObject({ action: 'review', why: 'refused' });
    for (const error of ['CrmUnavailableError', 'States.Timeout', 'Lambda.Unknown', new TypeError('x')]) {
      expect(decideCrmFailure(error, { site: 'inline', at, schedule })).toEqual(
        expect.objectContaining({ action: 'outbox', attempt: 1, waitSeconds: schedule.baseSeconds }),
      );
    }
  });

  it('crm-sync worker: the backoff grows, honours Retry-After, and a spent schedule goes to review; its own crash is redelivered', () => {
    const unavailable = new CrmUnavailableError('HTTP 503');
    expect(decideCrmFailure(unavailable, { site: 'crm-sync', at, schedule, attempt: 3, firstFailedAt: at.toISOString() })).toMatchObject({
      action: 'outbox',
      waitSeconds: schedule.baseSeconds * 4,
    });
    expect(decideCrmFailure(unavailable, { site: 'crm-sync', at, schedule, attempt: 1, retryAfterSeconds: 600 })).toMatchObject({ waitSeconds: 600 });
    const longAgo = new Date(at.getTime() - schedule.retryForSeconds * 1000).toISOString();
    expect(decideCrmFailure(unavailable, { site: 'crm-sync', at, schedule, attempt: 9, firstFailedAt: longAgo })).toMatchObject({
      action: 'review',
      why: 'retries_spent',
    });
    expect(decideCrmFailure(new CrmRejectedError('no'), { site: 'crm-sync', at, schedule })).toMatchObject({ action: 'review', why: 'refused' });
    expect(decideCrmFailure(new TypeError('bug'), { site: 'crm-sync', at, schedule })).toMatchObject({ action: 'redeliver' });
  });

  it('status-event: always redelivered (the event carries the write), whatever the kind', () => {
    for (const error of [new CrmRejectedError('no'), new CrmUnavailableError('down'), new TypeError('bug')]) {
      expect(decideCrmFailure(error, { site: 'status-event', at, schedule })).toMatchObject({ action: 'redeliver' });
    }
  });
});

describe('error hierarchy', () => {
  it('keeps each name, carries a cause, and matches by class here and by name across a Lambda boundary', () => {
    const cause = new Error('socket hang up');
    const error = new CrmUnavailableError('HubSpot unreachable', { cause });
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.name).toBe('CrmUnavailableError');
    expect(error.cause).toBe(cause);
    expect(new TransientError('x')).toBeInstanceOf(RetryableError);
    expect(new CrmRejectedError('x')).toBeInstanceOf(PermanentError);
    expect(new InvariantError('x')).toBeInstanceOf(PermanentError);
    expect(isErrorOf(error, CrmUnavailableError)).toBe(true);
    expect(isErrorOf('CrmUnavailableError', CrmUnavailableError)).toBe(true);
    expect(isErrorOf({ name: 'CrmRejectedError' }, CrmRejectedError, CrmUnavailableError)).toBe(true);
    expect(isErrorOf('TransientError', CrmUnavailableError)).toBe(false);
  });
});
