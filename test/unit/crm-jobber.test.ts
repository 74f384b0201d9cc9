/** Pure Jobber pieces: webhook signature and payload (incl. a fuzz: bad input never throws), delivery keys, the throttle wait, client mapping. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { throttleWaitSeconds } from '../../functions/crm/adapters/jobber-graphql';
import { jobberClientToCustomer } from '../../functions/crm/adapters/jobber-read';
import {
  jobberDeliveryKey,
  jobberTopicAction,
  JobberWebhookPayloadSchema,
  signJobberWebhook,
  verifyJobberWebhook,
} from '../../functions/crm/adapters/jobber-webhook';

const body = JSON.stringify({
  data: { webHookEvent: { topic: 'CLIENT_UPDATE', appId: 'a', accountId: 'QWNjb3VudDox', itemId: 'Q2xpZW50OjE=', occurredAt: '2026-11-30T04:00:00-06:00' } },
});

describe('Jobber webhooks', () => {
  it('verifies base64 HMAC-SHA256 of the raw body with the client secret; any change to body, key or header fails', () => {
    const signature = signJobberWebhook('secret-1', body);
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(verifyJobberWebhook('secret-1', body, signature)).toBe(true);
    expect(verifyJobberWebhook('secret-2', body, signature)).toBe(false);
    expect(verifyJobberWebhook('secret-1', `${body} `, signature)).toBe(false);
    expect(verifyJobberWebhook('secret-1', body, undefined)).toBe(false);
    expect(verifyJobberWebhook('secret-1', body, signature.slice(1))).toBe(false);
  });

  it('never throws on any header or body (fuzz)', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (raw, header) => {
        expect(typeof verifyJobberWebhook('k', raw, header)).toBe('boolean');
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = raw;
        }
        expect(typeof JobberWebhookPayloadSchema.safeParse(parsed).success).toBe('boolean');
      }),
    );
  });

  it('a re-sent delivery has the same key; another time, topic or item does not', () => {
    const event = JobberWebhookPayloadSchema.parse(JSON.parse(body)).data.webHookEvent;
    expect(jobberDeliveryKey(event)).toBe(jobberDeliveryKey({ ...event }));
    expect(jobberDeliveryKey({ ...event, occurredAt: '2026-11-30T04:00:01-06:00' })).not.toBe(jobberDeliveryKey(event));
    expect(jobberDeliveryKey({ ...event, topic: 'CLIENT_CREATE' })).not.toBe(jobberDeliveryKey(event));
    expect(jobberTopicAction('CLIENT_CREATE')).toBe('refresh_client');
    expect(jobberTopicAction('JOB_UPDATE')).toBe('ignore');
  });
});

describe('Jobber cost throttling', () => {
  it('waits until the bucket holds the query: (requested - available) / restoreRate, at least 1 s', () => {
    expect(throttleWaitSeconds(1_000, { currentlyAvailable: 800, restoreRate: 500 })).toBe(1);
    expect(throttleWaitSeconds(5_000, { currentlyAvailable: 0, restoreRate: 500 })).toBe(10);
    expect(throttleWaitSeconds(undefined, undefined)).toBe(1);
  });
});

describe('Jobber clients as CRM customers', () => {
  it('keeps the property ids, maps the address fields and the country', () => {
    const customer = jobberClientToCustomer({
      id: 'Q2xpZW50OjE=',
      name: 'Morgan Lee',
      phones: [{ number: '(512) 610-0000' }],
      emails: [{ address: 'm@example.com' }],
      updatedAt: '2026-11-29T10:00:00Z',
      clientProperties: {
        nodes: [
          { id: 'UHJvcGVydHk6MQ==', address: { street1: '200 Jobber Way', city: 'Austin', province: 'TX', postalCode: '78702', country: 'United States' } },
        ],
      },
    });
    expect(customer).toEqual({
      crmId: 'Q2xpZW50OjE=',
      name: 'Morgan Lee',
      phones: ['(512) 610-0000'],
      emails: ['m@example.com'],
      locations: [{ crmId: 'UHJvcGVydHk6MQ==', address: { line1: '200 Jobber Way', city: 'Austin', region: 'TX', postalCode: '78702', country: 'US' } }],
      equipment: [],
      openEstimates: [],
      modifiedAt: '2026-11-29T10:00:00Z',
    });
  });
});
