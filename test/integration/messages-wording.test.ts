/**
 * What messages say, read from the outbox: every kind of the catalogue goes through the real send
 * worker (ledger row -> sweeper -> notify queue -> NotifyWorker -> outbox) for an English and a
 * Spanish customer, and reads as a person would write it: weekday, 12-hour times, the address, the
 * technician. Templates are checked when saved (400 naming the variable and the kind), and the
 * preview renders every kind in both languages.
 */
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { updateBooking } from '../../functions/booking/store';
import { NOTIFICATION_KINDS, recipientOf, type NotificationKind } from '../../functions/notify/catalogue';
import { putLedgerRows, listOutbox } from '../../functions/notify/store';
import { setCustomerLanguage } from '../../functions/recognise/store';
import { bookingRequest, createTestTenant, nextWeekday, type TestTenant } from './helpers';
import { deliverDue } from './lifecycle-helpers';

const REVIEW_URL = 'https://g.page/r/lonestar/review';

/** Raw facts other parts of the system store with a job or membership (messageVars). */
const JOB_FACTS = {
  plan: 'Comfort Club',
  renewsOn: '2027-01-14',
  paymentUrl: 'https://pay.example.com/i/in_123',
  offerWindow: 'Tue, Dec 1, 8-10 AM',
  options: '(1) Tue, Dec 1, 8-10 AM (2) Tue, Dec 1, 1-3 PM',
  replyText: 'Can you come earlier?',
  pageCode: '482',
  pageLink: 'https://jobrelay.example.com/p/482',
  pagedCount: '3',
};

let tenant: TestTenant;
const date = nextWeekday(2, 3); // a Tuesday at least three days ahead
const booked: Record<'en' | 'es', { bookingId: string; technicianName: string }> = {} as never;
const sent: Record<'en' | 'es', Map<string, { text: string; subject?: string; language?: string }>> = { en: new Map(), es: new Map() };

async function deliverAll(): Promise<void> {
  await deliverDue();
}

beforeAll(async () => {
  tenant = await createTestTenant({ reviewUrl: REVIEW_URL } as never);
  const prep = await tenant.call('PUT', '/v1/config/job-types/plumbing-drain-clog', {
    name: 'Drain clog',
    trade: 'plumbing',
    requiredSkills: ['drains'],
    prepChecklist: ['Load the drain machine and camera'],
    materials: [{ part: 'P-trap', quantity: 1 }],
    whatToExpect: { en: 'We clear the drain and camera-check it.', es: 'Destapamos el drenaje y lo revisamos con cámara.' },
    customerPrep: { en: 'Clear the area under the sink and secure pets.', es: 'Despeje el área bajo el fregadero y asegure a las mascotas.' },
  });
  expect(prep.status, JSON.stringify(prep.body)).toBe(200);
});

const dayEn = () => DateTime.fromISO(date).setLocale('en-US').toFormat('ccc, LLL d');
const dayEs = () => DateTime.fromISO(date).setLocale('es-US').toLocaleString({ weekday: 'short', month: 'short', day: 'numeric' }).replace(/\s+/g, ' ');
const text = (language: 'en' | 'es', kind: NotificationKind) => sent[language].get(kind)!.text;

describe('every kind, as the outbox has it', () => {
  it('goes out once for each customer, through the send worker', async () => {
    const technicians = (await tenant.call('GET', '/v1/config/technicians')).body.items as Array<{ technicianId: string; name: string }>;
    for (const [language, phone] of [
      ['en', '(512) 555-0142'],
      ['es', '(512) 555-0177'],
    ] as const) {
      const response = await tenant.call(
        'POST',
        '/v1/bookings',
        bookingRequest({
          customer: { name: language === 'en' ? 'Jordan Rivera' : 'Lucía Hernández', phone, language },
          window: { date, start: '08:00' },
        }),
      );
      expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
      // A busy machine may answer before the workflow finished (202): wait for the customer and the window.
      let booking = response.body;
      await expect
        .poll(
          async () => {
            booking = { ...response.body, ...(await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body };
            return booking.status;
          },
          { timeout: 60_000, interval: 500 },
        )
        .not.toBe('received');
      booking.window = { ...response.body.window, ...booking.window };
      const { bookingId, customerId, window } = booking;
      if (language === 'es') await setCustomerLanguage(tenant.tenantId, customerId, 'es', new Date());
      await updateBooking(
        tenant.tenantId,
        bookingId,
        {
          messageVars: JOB_FACTS,
          eta: `${date}T14:40:00.000Z`,
          invoicedAmountCents: 12_900,
          technicianName: technicians.find((t) => t.technicianId === window.technicianId)!.name,
        } as never,
        { at: new Date() },
      );
      booked[language] = { bookingId, technicianName: technicians.find((t) => t.technicianId === window.technicianId)!.name };
      // Every kind once more (schedule version 90: apart from what the booking itself planned), due now.
      const rows = NOTIFICATION_KINDS.map((kind) => ({
        kind,
        channel: 'sms' as const,
        dueAt: new Date().toISOString(),
        version: 90,
        ...(recipientOf(kind) === 'technician' ? { technicianId: window.technicianId } : {}),
      }));
      await putLedgerRows(tenant.tenantId, bookingId, rows);
    }
    await expect
      .poll(
        async () => {
          await deliverAll();
          const outbox = await listOutbox(tenant.tenantId);
          for (const language of ['en', 'es'] as const) {
            for (const m of outbox.filter((m) => m.bookingId === booked[language].bookingId && m.version === 90)) {
              sent[language].set(String(m.kind), {
                text: String(m.text),
                subject: m.subject as string | undefined,
                language: m.language as string | undefined,
              });
            }
          }
          return (['en', 'es'] as const).flatMap((language) => NOTIFICATION_KINDS.filter((k) => !sent[language].has(k)).map((k) => `${language}:${k}`));
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual([]);
  }, 240_000);

  it('sends every kind in English and Spanish, with no ISO date, no 24-hour time and no blank', () => {
    for (const language of ['en', 'es'] as const) {
      for (const kind of NOTIFICATION_KINDS) {
        const t = text(language, kind);
        expect(t, `${kind} ${language}`).toBeTruthy();
        expect(t, `${kind} ${language}`).not.toContain(date);
        expect(t, `${kind} ${language}`).not.toMatch(/\b(0\d|1\d|2[0-3]):[0-5]\d\b(?! ?[ap]\.? ?m|AM|PM)|undefined|\{\{/);
      }
    }
    // Customers read their language; staff read the company's.
    for (const kind of NOTIFICATION_KINDS.filter((k) => recipientOf(k) === 'customer')) {
      expect(text('es', kind), kind).not.toBe(text('en', kind));
      expect(sent.es.get(kind)!.language, kind).toBe('es');
    }
    for (const kind of NOTIFICATION_KINDS.filter((k) => recipientOf(k) !== 'customer')) {
      expect(sent.es.get(kind)!.language, kind).toBe('en');
    }
  });

  it('confirms with the weekday, 12-hour window, address, technician, what to expect and how to prepare', () => {
    const technician = booked.en.technicianName.split(' ')[0]!;
    expect(text('en', 'confirmation')).toBe(
      `Hi Jordan, your Drain clog visit with Lone Star Plumbing & Air is confirmed for ${dayEn()}, 8-10 AM at 1100 Congress Ave Apt 4B, Austin, TX 78701. ${technician} will be your technician. What to expect: We clear the drain and camera-check it. To prepare: Clear the area under the sink and secure pets. Need another time? Reply R to reschedule. Reply STOP to opt out.`,
    );
    const tecnico = booked.es.technicianName.split(' ')[0]!;
    expect(text('es', 'confirmation')).toContain(
      `Hola Lucía, su visita de Drain clog con Lone Star Plumbing & Air está confirmada para el ${dayEs()}, 8-10 a.m. en 1100 Congress Ave`,
    );
    expect(text('es', 'confirmation')).toContain(`Su técnico será ${tecnico}.`);
    expect(text('es', 'confirmation')).toContain('Cómo prepararse: Despeje el área bajo el fregadero');
  });

  it('reminds with the weekday and window; day-of, ETA and on-the-way name the technician and carry the day', () => {
    expect(text('en', 'reminder_48h')).toContain(`your Drain clog visit is on ${dayEn()}, 8-10 AM at 1100 Congress Ave`);
    expect(text('en', 'reminder_day_of')).toContain(`between 8 AM and 10 AM: ${booked.en.technicianName.split(' ')[0]} is your technician`);
    expect(text('en', 'eta')).toContain(
      `${booked.en.technicianName.split(' ')[0]} from Lone Star Plumbing & Air is scheduled to arrive around ${dayEn()}, 8:40 AM.`,
    );
    expect(text('en', 'on_the_way')).toContain(`is on the way, arriving around ${dayEn()}, 8:40 AM.`);
    expect(text('es', 'on_the_way')).toContain(`va en camino y llegará alrededor de ${dayEs()}, 8:40 a.m.`);
    expect(text('es', 'reminder_48h')).toContain(`es el ${dayEs()}, 8-10 a.m.`);
  });

  it('links the review page and the payment, with money as money', () => {
    expect(text('en', 'review_request')).toContain(REVIEW_URL);
    expect(text('es', 'review_request')).toContain(REVIEW_URL);
    expect(text('en', 'payment_reminder')).toContain(`your invoice for Drain clog on ${dayEn()} ($129.00) is open. Pay here: ${JOB_FACTS.paymentUrl}`);
    expect(text('es', 'payment_reminder_final')).toContain('($129.00) está pendiente. Pague aquí:');
    expect(text('en', 'renewal_30d')).toContain('renews on Jan 14, 2027');
  });

  it('gives the technician the street address, access notes, customer phone, map link, checklist and parts', () => {
    const job = text('en', 'technician_job');
    expect(job).toContain(`Drain clog for Jordan Rivera, ${dayEn()}, 8-10 AM.`);
    expect(job).toContain('1100 Congress Ave Apt 4B, Austin, TX 78701');
    expect(job).toContain('Map: https://maps.google.com/?q=1100%20Congress%20Ave');
    expect(job).toContain('Phone: +15125550142');
    expect(job).toContain('Access: Gate code 4412; dog in the back yard.');
    expect(job).toContain('Prep: Load the drain machine and camera');
    expect(job).toContain('Parts: 1x P-trap');
  });
});

describe('templates, checked when saved', () => {
  it('refuses an unknown variable with a 400 naming it and the kind; a known one is saved and used', async () => {
    const settings = (await tenant.call('GET', '/v1/config/company')).body;
    const bad = await tenant.call('PUT', '/v1/config/company', {
      ...settings,
      messaging: { ...settings.messaging, templates: { confirmation: 'Hi {{firstName}}, use {{couponCode}}' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('messaging.templates.confirmation');
    expect(bad.body.error.message).toContain('{{couponCode}}');
    expect(bad.body.error.message).toContain('confirmation');

    const unknownKind = await tenant.call('PUT', '/v1/config/company', { ...settings, messaging: { ...settings.messaging, templates: { confirmaton: 'Hi' } } });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.error.field).toBe('messaging.templates.confirmaton');

    const good = await tenant.call('PUT', '/v1/config/company', {
      ...settings,
      messaging: { ...settings.messaging, templates: { 'confirmation.es': '¡Hola {{firstName}}! Le esperamos el {{window}}.' } },
    });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    const catalogue = await tenant.call('GET', '/v1/messages/catalogue?kind=confirmation');
    expect(catalogue.status).toBe(200);
    const [confirmation] = catalogue.body.items;
    expect(confirmation.rendered.es).toMatchObject({ text: '¡Hola Jordan! Le esperamos el lun, 30 de nov, 8-10 a.m.', source: 'custom' });
    expect(confirmation.rendered.en.source).toBe('default');
  });
});

describe('the preview', () => {
  it('renders every kind for a sample booking in both languages, and templates before they are saved', async () => {
    const all = await tenant.call('GET', '/v1/messages/catalogue');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { kind: string }) => i.kind)).toEqual(NOTIFICATION_KINDS);
    for (const item of all.body.items) {
      expect(item.rendered.en.error, item.kind).toBeUndefined();
      expect(item.rendered.es.error, item.kind).toBeUndefined();
      expect(item.variables.length, item.kind).toBeGreaterThan(0);
    }
    const confirmation = all.body.items.find((i: { kind: string }) => i.kind === 'confirmation');
    expect(confirmation.rendered.en.subject).toBe('Lone Star Plumbing & Air: Your Drain clog visit is confirmed for Mon, Nov 30');
    expect(confirmation.rendered.en.html).toContain('<html');

    const preview = await tenant.call('POST', '/v1/messages/preview', {
      templates: { review_request: 'Thanks {{firstName}}! Rate {{technicianFirstName}}: {{reviewUrl}}' },
      kinds: ['review_request'],
    });
    expect(preview.status).toBe(200);
    expect(preview.body.items[0].rendered.en.text).toBe(`Thanks Jordan! Rate Maria: ${REVIEW_URL}`);

    const refused = await tenant.call('POST', '/v1/messages/preview', { templates: { review_request: 'Rate us {{stars}}' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('templates.review_request');
    expect(refused.body.error.message).toContain('{{stars}}');
  });
});
