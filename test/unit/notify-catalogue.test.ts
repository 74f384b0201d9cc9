import { describe, expect, it } from 'vitest';
import { composeMessage, isStaffMessage, messageVariables, NOTIFICATION_KINDS, recipientOf, renderMessage } from '../../functions/notify/catalogue';
import { decideDelivery } from '../../functions/notify/delivery';
import { NotifyMessageSchema } from '../../functions/notify/schemas';
import { REDRIVE_QUEUES } from '../../functions/review/schemas';
import { QUEUE_NAMES, queues } from '../../functions/registry';

const vars = messageVariables({
  customerName: 'Jordan Lee',
  jobTypeName: 'Drain clog',
  companyName: 'Lone Star',
  window: { date: '2026-12-05', start: '10:00', end: '12:00' },
});

describe('the notification catalogue (every kind once)', () => {
  it('names each kind once, and the queue message accepts exactly those kinds', () => {
    expect(new Set(NOTIFICATION_KINDS).size).toBe(NOTIFICATION_KINDS.length);
    for (const kind of NOTIFICATION_KINDS) expect(NotifyMessageSchema.safeParse({ tenantId: 't', bookingId: 'b', kind }).success).toBe(true);
    expect(NotifyMessageSchema.safeParse({ tenantId: 't', bookingId: 'b', kind: 'not_a_kind' }).success).toBe(false);
  });

  it('gives every kind a recipient and default wording that names who it is about, with no unfilled placeholder', () => {
    for (const kind of NOTIFICATION_KINDS) {
      const text = renderMessage(kind, vars);
      expect(text, kind).toContain('Jordan');
      expect(text, kind).not.toMatch(/undefined|\$\{|\{\{/);
      expect(['customer', 'technician', 'dispatch', 'manager'], kind).toContain(recipientOf(kind));
    }
  });

  it('sends staff messages at once by SMS, whatever the customer prefers', () => {
    const customer = { communicationPreferences: { channels: ['email'], optedOut: true } };
    for (const kind of NOTIFICATION_KINDS.filter(isStaffMessage)) {
      expect(decideDelivery({ kind, now: new Date(), timeZone: 'America/Chicago', customer }), kind).toEqual({ action: 'send', channel: 'sms' });
    }
  });

  it('uses a tenant template for its kind in place of the default wording', () => {
    expect(composeMessage('confirmation', { confirmation: 'Yo {{firstName}} from {{companyName}}' }, vars)).toBe('Yo Jordan from Lone Star');
    expect(composeMessage('reminder_48h', { confirmation: 'unused' }, vars)).toBe(renderMessage('reminder_48h', vars));
  });
});

describe('queue names (one list)', () => {
  it('declares one queue per name, and review items redrive to exactly those queues', () => {
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(REDRIVE_QUEUES).toEqual(QUEUE_NAMES);
  });
});
