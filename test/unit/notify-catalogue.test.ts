import { describe, expect, it } from 'vitest';
import {
  composeMessage,
  describeCatalogue,
  isStaffMessage,
  messageVariables,
  NOTIFICATION_KINDS,
  recipientOf,
  renderMessage,
  templateProblem,
} from '../../functions/notify/catalogue';
import { previewCatalogue } from '../../functions/notify/preview';
import { templateVariables } from '../../functions/notify/templates';
import { decideDelivery } from '../../functions/notify/delivery';
import { NotifyMessageSchema } from '../../functions/notify/schemas';
import { REDRIVE_QUEUES } from '../../functions/review/schemas';
import { QUEUE_NAMES, queues } from '../../functions/registry';

const vars = messageVariables({
  customerName: 'Jordan Lee',
  jobTypeName: 'Drain clog',
  companyName: 'Lone Star',
  timeZone: 'America/Chicago',
  window: { date: '2026-12-05', start: '10:00', end: '12:00' },
});

describe('the notification catalogue (every kind once)', () => {
  it('names each kind once, and the queue message accepts exactly those kinds', () => {
    expect(new Set(NOTIFICATION_KINDS).size).toBe(NOTIFICATION_KINDS.length);
    for (const kind of NOTIFICATION_KINDS) expect(NotifyMessageSchema.safeParse({ tenantId: 't', bookingId: 'b', kind }).success).toBe(true);
    expect(NotifyMessageSchema.safeParse({ tenantId: 't', bookingId: 'b', kind: 'not_a_kind' }).success).toBe(false);
  });

  it('gives every kind a recipient and default wording in English and Spanish that uses only its own variables', async () => {
    for (const entry of describeCatalogue()) {
      expect(['customer', 'technician', 'dispatch', 'manager'], entry.kind).toContain(entry.recipient);
      for (const language of ['en', 'es'] as const) {
        expect(entry.wording[language].text, `${entry.kind} ${language}`).toBeTruthy();
        expect(await templateProblem(entry.kind, entry.wording[language].text), `${entry.kind} ${language}`).toBeUndefined();
        if (entry.wording[language].subject) expect(await templateProblem(entry.kind, entry.wording[language].subject!), entry.kind).toBeUndefined();
      }
      expect(entry.wording.es.text, entry.kind).not.toBe(entry.wording.en.text);
    }
  });

  it('renders every kind for the sample booking in both languages, with no unfilled placeholder', async () => {
    for (const item of await previewCatalogue({ name: 'Lone Star', timeZone: 'America/Chicago' })) {
      for (const language of ['en', 'es'] as const) {
        const rendered = item.rendered[language];
        expect(rendered.error, `${item.kind} ${language}`).toBeUndefined();
        expect(rendered.text, `${item.kind} ${language}`).not.toMatch(/undefined|\$\{|\{\{|\.\.(?!\.)/);
      }
    }
  });

  it('sends staff messages at once by SMS, whatever the customer prefers', () => {
    const customer = { communicationPreferences: { channels: ['email'], optedOut: true } };
    for (const kind of NOTIFICATION_KINDS.filter(isStaffMessage)) {
      expect(decideDelivery({ kind, now: new Date(), timeZone: 'America/Chicago', customer }), kind).toEqual({ action: 'send', channel: 'sms' });
    }
  });

  it('holds every customer kind in quiet hours and suppresses it for an opted-out customer', () => {
    const quiet = { start: '00:00', end: '23:59' };
    for (const kind of NOTIFICATION_KINDS.filter((k) => recipientOf(k) === 'customer')) {
      const inQuiet = decideDelivery({ kind, now: new Date('2026-12-05T18:00:00Z'), timeZone: 'America/Chicago', companyQuietHours: quiet, customer: {} });
      expect(inQuiet.action, kind).toBe('defer');
      const optedOut = decideDelivery({
        kind,
        now: new Date(),
        timeZone: 'America/Chicago',
        customer: { communicationPreferences: { channels: ['sms'], optedOut: true } },
      });
      expect(optedOut.action, kind).toBe('suppress');
    }
  });

  it('uses a tenant template for its kind and language in place of the default wording', async () => {
    expect(await composeMessage('confirmation', { confirmation: 'Yo {{firstName}} from {{companyName}}' }, vars)).toBe('Yo Jordan from Lone Star');
    expect(await composeMessage('reminder_48h', { confirmation: 'unused' }, vars)).toBe(await renderMessage('reminder_48h', vars));
    const templates = { confirmation: 'Hi {{firstName}}', 'confirmation.es': 'Hola {{firstName}}' };
    expect(await composeMessage('confirmation', templates, vars, 'es')).toBe('Hola Jordan');
    expect(await composeMessage('confirmation', templates, vars, 'en')).toBe('Hi Jordan');
  });
});

describe('variables formatted for people', () => {
  const facts = {
    customerName: 'Jordan Lee',
    companyName: 'Lone Star',
    timeZone: 'America/Chicago',
    window: { date: '2026-11-30', start: '08:00', end: '10:00' },
    etaIso: '2026-11-30T15:15:00Z',
    amountCents: 12_900,
  };

  it('writes English dates, 12-hour windows, ETAs with their day and money, with the raw values beside them', () => {
    const v = messageVariables({ ...facts, language: 'en' });
    expect(v).toMatchObject({ date: 'Mon, Nov 30', weekday: 'Monday', time: '8-10 AM', window: 'Mon, Nov 30, 8-10 AM', start: '8 AM', end: '10 AM' });
    expect(v).toMatchObject({ eta: 'Mon, Nov 30, 9:15 AM', amount: '$129.00', amountCents: '12900', dateIso: '2026-11-30' });
    expect(v.windowStartIso).toBe('2026-11-30T08:00:00.000-06:00');
    expect(messageVariables({ ...facts, window: { date: '2026-11-30', start: '10:30', end: '13:00' } }).time).toBe('10:30 AM-1:00 PM');
  });

  it('writes Spanish with Intl', () => {
    const v = messageVariables({ ...facts, language: 'es' });
    expect(v).toMatchObject({ date: 'lun, 30 de nov', weekday: 'lunes', time: '8-10 a.m.', eta: 'lun, 30 de nov, 9:15 a.m.', amount: '$129.00' });
  });
});

describe('templates checked when saved', () => {
  it('names the unknown variable and the kind, and an unknown kind', async () => {
    expect(await templateProblem('confirmation', 'Hi {{firstName}}, {{couponCode}}')).toMatch(
      /unknown variable \{\{couponCode\}\} in the confirmation template/,
    );
    expect(await templateProblem('confirmation.es', 'Hola {{firstName}}{{#if prep}} {{prep}}{{/if}}')).toBeUndefined();
    expect(await templateProblem('review_request', '{{reviewUrl}}')).toBeUndefined();
    expect(await templateProblem('confirmation', '{{reviewUrl}}')).toMatch(/reviewUrl/);
    expect(await templateProblem('not_a_kind', 'x')).toMatch(/unknown message kind "not_a_kind"/);
    expect(await templateProblem('confirmation', 'Hi {{#if}}')).toMatch(/not valid Handlebars/);
  });

  it('lists what a template uses', async () => {
    expect((await templateVariables('{{a}} {{#if b}}{{c}}{{else}}{{d}}{{/if}} {{#each e}}{{@index}}{{/each}}')).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('queue names (one list)', () => {
  it('declares one queue per name, and review items redrive to exactly those queues', () => {
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(REDRIVE_QUEUES).toEqual(QUEUE_NAMES);
  });
});
