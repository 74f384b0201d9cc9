import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../functions/crm/adapters/webhook';
import { CrmMappingSchema, defaultCrmMapping, mapFields } from '../../functions/crm/mapping';
import { messageVariables, renderMessage } from '../../functions/notify/catalogue';
import { planNotifications } from '../../functions/notify/plan';
import { normalizeEmail, normalizePhone } from '../../functions/recognise/phone';
import { describeCause } from '../../functions/shared/errors';

describe('phone and email normalisation', () => {
  it.each([
    ['(512) 555-0142', '+15125550142'],
    ['512.555.0142', '+15125550142'],
    ['+1 512 555 0142', '+15125550142'],
    ['1-512-555-0142', '+15125550142'],
  ])('%s -> %s', (raw, e164) => expect(normalizePhone(raw, 'US')).toBe(e164));

  it('rejects what is not a phone number', () => {
    expect(normalizePhone('12345678', 'US')).toBeUndefined();
    expect(normalizePhone('call me', 'US')).toBeUndefined();
  });

  it('lowercases and trims emails', () => expect(normalizeEmail('  Jordan@Example.COM ')).toBe('jordan@example.com'));
});

describe('CRM mapping table', () => {
  it('the default table validates against its schema', () => {
    expect(CrmMappingSchema.safeParse(defaultCrmMapping).success).toBe(true);
  });

  it('maps present values and leaves absent ones out (never "unknown", never blank)', () => {
    const { dealStage, fields } = mapFields(defaultCrmMapping, 'booked', {
      customer: { name: 'Jordan Rivera', phoneE164: '+15125550142' },
      attribution: { source: 'google_ads', campaign: '' },
      booking: { bookingId: 'b1', channel: 'voice' },
    });
    expect(dealStage).toBe('Booked');
    expect(fields).toMatchObject({ customer_name: 'Jordan Rivera', lead_source: 'google_ads', channel: 'voice', external_booking_id: 'b1' });
    expect(fields).not.toHaveProperty('campaign');
    expect(fields).not.toHaveProperty('customer_email');
    expect(Object.values(fields)).not.toContain('unknown');
  });
});

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex');
    expect(signWebhook('k', 1_700_000_000, '{"a":1}')).toBe(`v1=${expected}`);
  });
});

describe('notification plan', () => {
  const timeZone = 'America/Chicago';

  it('plans the confirmation now, the 48-hour reminder and a 07:00 day-of reminder', () => {
    const now = new Date('2026-12-01T15:00:00Z');
    const plan = planNotifications({ window: { date: '2026-12-05', start: '10:00' }, timeZone, now, channel: 'sms' });
    expect(plan).toEqual([
      { kind: 'confirmation', channel: 'sms', dueAt: '2026-12-01T15:00:00.000Z' },
      { kind: 'reminder_48h', channel: 'sms', dueAt: '2026-12-03T16:00:00.000Z' },
      { kind: 'reminder_day_of', channel: 'sms', dueAt: '2026-12-05T13:00:00.000Z' },
    ]);
  });

  it('skips reminders whose time has passed', () => {
    const now = new Date('2026-12-05T14:00:00Z'); // 08:00 in Austin, visit at 10:00
    const plan = planNotifications({ window: { date: '2026-12-05', start: '10:00' }, timeZone, now, channel: 'sms' });
    expect(plan.map((p) => p.kind)).toEqual(['confirmation']);
  });

  it('confirms a window already under way as "arrives by" its end, in English and Spanish', async () => {
    const now = new Date('2026-12-05T16:30:00Z'); // 10:30 in Austin, window 10-12
    const plan = planNotifications({ window: { date: '2026-12-05', start: '10:00' }, timeZone, now, channel: 'sms' });
    expect(plan.map((p) => p.kind)).toEqual(['confirmation_arriving_by']);
    const facts = {
      customerName: 'Jordan Lee',
      jobTypeName: 'Burst pipe',
      companyName: 'Lone Star',
      timeZone,
      window: { date: '2026-12-05', start: '10:00', end: '12:00' },
    };
    const en = await renderMessage('confirmation_arriving_by', messageVariables(facts));
    expect(en).toContain('a technician will arrive by 12 PM.');
    expect(en).not.toMatch(/10/);
    expect(await renderMessage('confirmation_arriving_by', messageVariables({ ...facts, language: 'es' }), 'es')).toContain(
      'llegará a más tardar a las 12 p.m.',
    );
  });

  it('renders the confirmation with the window, for people', async () => {
    const text = await renderMessage(
      'confirmation',
      messageVariables({
        customerName: 'Jordan Lee',
        jobTypeName: 'Drain clog',
        companyName: 'Lone Star',
        timeZone,
        window: { date: '2026-12-05', start: '10:00', end: '12:00' },
      }),
    );
    expect(text).toBe(
      'Hi Jordan, your Drain clog visit with Lone Star is confirmed for Sat, Dec 5, 10 AM-12 PM. Need another time? Reply R to reschedule. Reply STOP to opt out.',
    );
  });
});

describe('review reasons', () => {
  it('reads the message out of a Lambda error Cause, or keeps plain text', () => {
    expect(describeCause(JSON.stringify({ errorType: 'X', errorMessage: 'boom', trace: [] }))).toBe('boom');
    expect(describeCause('plain words')).toBe('plain words');
    expect(describeCause(undefined)).toBe('no detail');
  });
});
