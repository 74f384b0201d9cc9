/**
 * Two-way SMS, the pure parts: what a reply asks for (notify/customer-reply.ts), Twilio's request
 * signature against Twilio's own documented example, TwiML escaping, and the booking timeline read
 * as sentences (booking/timeline-sentences.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTimelineEntry } from '../../functions/booking/timeline-sentences';
import { bookingForReply, carrierCommand, normaliseKeyword, parseReply } from '../../functions/notify/customer-reply';
import { isValidTwilioSignature, twilioSignature, twiml } from '../../functions/notify/inbound-sms.handler';

describe('parseReply', () => {
  it.each([
    ['C', 'confirm'],
    [' yes ', 'confirm'],
    ['Y', 'confirm'],
    ['r', 'reschedule'],
    ['Reschedule!', 'reschedule'],
    ['CANCEL', 'cancel'],
    ['cancel.', 'cancel'],
    ['CX', 'cancel'],
    ['Cancelar', 'cancel'],
    ['cancel my appointment', 'cancel'],
    ['PAY', 'pay'],
    ['STOP', 'opt_out'],
    ['unsubscribe', 'opt_out'],
    ['START', 'opt_in'],
    ['help', 'help'],
    ['no', 'decline'],
    ['Can the tech call first?', 'free_text'],
  ])('%j is %s', (body, kind) => {
    expect(parseReply(body).kind).toBe(kind);
  });

  it('reads ESPAÑOL with or without the accent, and ENGLISH', () => {
    expect(parseReply('ESPAÑOL')).toEqual({ kind: 'language', language: 'es' });
    expect(parseReply('espanol')).toEqual({ kind: 'language', language: 'es' });
    expect(parseReply('English')).toEqual({ kind: 'language', language: 'en' });
    expect(normaliseKeyword('  Español!! ')).toBe('ESPANOL');
  });

  it('a number is a choice only while one is awaited', () => {
    expect(parseReply('2', true)).toEqual({ kind: 'choose', choice: 2 });
    expect(parseReply(' #3 ', true)).toEqual({ kind: 'choose', choice: 3 });
    expect(parseReply('2', false).kind).toBe('free_text');
  });

  it('never throws, whatever is texted', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.boolean(), (body, choosing) => {
        expect(typeof parseReply(body, choosing).kind).toBe('string');
      }),
    );
  });
});

describe('carrierCommand: what Twilio already did with a text', () => {
  it("Advanced Opt-Out's OptOutType is what Twilio did, whatever the words", () => {
    expect(carrierCommand('Cancel', 'STOP', true)).toEqual({ kind: 'opt_out', word: 'CANCEL' });
    expect(carrierCommand('unstop', 'START', true)).toEqual({ kind: 'opt_in' });
    expect(carrierCommand('info', 'HELP', true)).toEqual({ kind: 'help' });
  });

  it("without a Messaging Service, Twilio's default STOP filtering takes CANCEL (and the STOP family) as an opt-out", () => {
    expect(carrierCommand('cancel', undefined, false)).toEqual({ kind: 'opt_out', word: 'CANCEL' });
    expect(carrierCommand('STOP', undefined, false)).toEqual({ kind: 'opt_out', word: 'STOP' });
    expect(carrierCommand('CX', undefined, false)).toBeUndefined();
    expect(carrierCommand('cancel my appointment', undefined, false)).toBeUndefined();
  });

  it('through a Messaging Service with no OptOutType, Twilio left the text to us (CANCEL asks to confirm)', () => {
    expect(carrierCommand('CANCEL', undefined, true)).toBeUndefined();
    expect(parseReply('CANCEL').kind).toBe('cancel');
  });
});

describe('bookingForReply', () => {
  const base = { tenantId: 't', jobTypeId: 'j', channel: 'voice', createdAt: '', updatedAt: '', request: {} } as const;
  const at = new Date('2026-11-30T15:00:00Z');
  it('takes the latest open booking, not a past or cancelled one; PAY takes the latest unpaid invoice', () => {
    const bookings = [
      { ...base, bookingId: 'cancelled', status: 'cancelled', window: { date: '2026-12-03', start: '08:00', end: '10:00' } },
      { ...base, bookingId: 'open', status: 'confirmed', window: { date: '2026-12-02', start: '08:00', end: '10:00' } },
      { ...base, bookingId: 'past', status: 'confirmed', window: { date: '2026-11-20', start: '08:00', end: '10:00' }, invoicedAmountCents: 12_900 },
    ] as never[];
    expect(bookingForReply(bookings, { kind: 'confirm' }, at, 'America/Chicago')).toMatchObject({ booking: { bookingId: 'open' }, open: true });
    expect(bookingForReply(bookings, { kind: 'pay' }, at, 'America/Chicago')).toMatchObject({ booking: { bookingId: 'past' }, open: true });
    expect(bookingForReply(bookings.slice(0, 1), { kind: 'free_text' }, at, 'America/Chicago')).toMatchObject({
      booking: { bookingId: 'cancelled' },
      open: false,
    });
  });
});

describe('Twilio request signature', () => {
  // Twilio's documented example (twilio.com/docs/usage/security): Auth Token 12345.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };
  it("matches Twilio's documented signature", () => {
    expect(twilioSignature('12345', url, params)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(isValidTwilioSignature('12345', url, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(true);
  });
  it('refuses another token, another URL, a changed parameter or no signature', () => {
    const good = twilioSignature('12345', url, params);
    expect(isValidTwilioSignature('54321', url, params, good)).toBe(false);
    expect(isValidTwilioSignature('12345', `${url}&x=1`, params, good)).toBe(false);
    expect(isValidTwilioSignature('12345', url, { ...params, Digits: '1235' }, good)).toBe(false);
    expect(isValidTwilioSignature('12345', url, params, undefined)).toBe(false);
  });
});

describe('twiml', () => {
  it('escapes the reply and sends nothing when there is none', () => {
    expect(twiml('Tom & Jerry <3')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Tom &#38; Jerry &#60;3</Message></Response>');
    expect(twiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });
});

describe('timeline sentences', () => {
  const ctx = { timeZone: 'America/Chicago', technicians: { 'tech-01': 'Maria Gonzales', 'tech-02': 'Dave Kowalski' }, customerName: 'Jordan Rivera' };
  it('says what happened with names, the window in words and who did it', () => {
    expect(
      describeTimelineEntry({ node: 'SoftHold', outcome: 'held', detail: { date: '2026-11-30', start: '08:00', end: '10:00', technicianId: 'tech-01' } }, ctx),
    ).toBe('Held Mon, Nov 30, 8-10 AM with Maria Gonzales');
    expect(
      describeTimelineEntry(
        {
          node: 'RescheduleBooking',
          outcome: 'rescheduled',
          detail: {
            from: { date: '2026-11-30', start: '08:00', end: '10:00', technicianId: 'tech-01' },
            to: { date: '2026-12-01', start: '10:00', end: '12:00', technicianId: 'tech-02' },
            by: 'Voice agent (key 01HXYZ)',
            reason: 'customer asked',
          },
        },
        ctx,
      ),
    ).toBe('Moved from Mon, Nov 30, 8-10 AM to Tue, Dec 1, 10 AM-12 PM with Dave Kowalski by Voice agent: customer asked');
    expect(
      describeTimelineEntry(
        { node: 'CancelBooking', outcome: 'cancelled', detail: { by: 'customer (text reply)', reason: 'The customer cancelled by text' } },
        ctx,
      ),
    ).toBe('Cancelled by customer (text reply): The customer cancelled by text');
    expect(describeTimelineEntry({ node: 'CustomerReply', outcome: 'customer_reply' }, ctx)).toBe('The customer texted a reply; it is in the dispatcher inbox');
  });
  it('reads a node it does not know as words', () => {
    expect(describeTimelineEntry({ node: 'DuplicateCheck', outcome: 'merged_into' }, ctx)).toBe('Duplicate check: merged into');
  });
});
