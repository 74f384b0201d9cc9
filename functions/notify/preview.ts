/**
 * The message catalogue rendered for people to read before anything is sent: every kind for a sample
 * booking, in English and Spanish, with the tenant's own templates (saved, or proposed in a preview
 * request) in place of the defaults. Pure over the tenant's settings; GET /v1/messages/catalogue and
 * POST /v1/messages/preview (outbox.handler.ts) and the console's Messages page show it.
 */
import {
  NOTIFICATION_KINDS,
  type NotificationKind,
  channelRuleOf,
  composeMessage,
  composeSubject,
  describeCatalogue,
  parseTemplateKey,
  recipientOf,
} from './catalogue';
import { emailHtml } from './email';
import { MESSAGE_LANGUAGES, type MessageLanguage, type MessageVariables, VARIABLE_DESCRIPTIONS, type VariableName, messageVariables } from './variables';

/** The sample booking every preview is rendered for (a weekday morning window, a named technician). */
export function sampleVariables(
  tenant: { name: string; timeZone: string; reviewUrl?: string; dispatch?: { phone?: string } },
  language: MessageLanguage,
  date = '2026-11-30',
): MessageVariables {
  const base = messageVariables({
    language,
    timeZone: tenant.timeZone,
    customerName: 'Jordan Lee',
    companyName: tenant.name,
    jobTypeName: language === 'es' ? 'Destape de drenaje' : 'Drain clog',
    window: { date, start: '08:00', end: '10:00' },
    address: { line1: '1200 Oak Hollow Dr', city: 'Austin', region: 'TX', postalCode: '78704' },
    technicianName: 'Maria Gonzales',
    customerPhone: '+15125550123',
    etaIso: `${date}T14:40:00Z`,
    amountCents: 12_900,
    whatToExpect:
      language === 'es'
        ? 'Maria revisará el drenaje, le explicará el precio antes de empezar y limpiará al terminar.'
        : 'Maria will inspect the drain, quote the price before starting, and clean up after.',
    prep: language === 'es' ? 'Despeje el área bajo el fregadero y asegure a las mascotas.' : 'Clear the area under the sink and secure pets.',
    checklist: ['Drain snake', 'Camera'],
    parts: [{ part: 'P-trap', quantity: 1 }],
    membership: 'Comfort Club',
    job: {
      plan: 'Comfort Club',
      renewsOn: '2026-12-14',
      nextMaintenanceDate: '2027-05-30',
      reviewUrl: tenant.reviewUrl ?? 'https://g.page/r/your-company/review',
      paymentUrl: 'https://pay.example.com/i/in_sample',
      companyPhone: tenant.dispatch?.phone ?? '+15125550100',
      accessNotes: language === 'es' ? 'Código del portón 4321' : 'Gate code 4321',
      notes: language === 'es' ? 'Perro en el patio' : 'Dog in the yard',
      details: language === 'es' ? 'Resumen: fregadero tapado. Historial: 2 visitas.' : 'Summary: kitchen sink backed up. History: 2 past visits.',
      delayMinutes: '25',
    },
  });
  // Variables only some kinds have (codes, options, reply text) get the example their description gives.
  const extra: Record<string, string> = {
    offerWindow: base.window ?? '',
    options:
      language === 'es'
        ? '(1) mar, 1 de dic, 8-10 a.m. (2) mar, 1 de dic, 1-3 p.m. (3) mié, 2 de dic, 8-10 a.m.'
        : '(1) Tue, Dec 1, 8-10 AM (2) Tue, Dec 1, 1-3 PM (3) Wed, Dec 2, 8-10 AM',
    replyText: language === 'es' ? '¿Pueden venir más temprano?' : 'Can you come earlier?',
    pageCode: '482',
    pageLink: 'https://jobrelay.example.com/p/482',
    pagedCount: '3',
  };
  for (const name of Object.keys(VARIABLE_DESCRIPTIONS) as VariableName[]) {
    if (base[name] !== undefined || extra[name] !== undefined) continue;
    const example = /\(([^()]+)\)\s*$/.exec(VARIABLE_DESCRIPTIONS[name])?.[1];
    extra[name] = example ?? `[${name}]`;
  }
  return { ...extra, ...base };
}

export interface RenderedMessage {
  text: string;
  subject?: string;
  html?: string;
  /** Which wording: the catalogue's or the tenant's template. */
  source: 'default' | 'custom';
  /** A template that cannot be filled says so here (the send worker would open a review item). */
  error?: string;
}

async function render(
  kind: NotificationKind,
  templates: Record<string, string>,
  vars: MessageVariables,
  language: MessageLanguage,
  companyName: string,
): Promise<RenderedMessage> {
  const custom = [`${kind}.${language}`, kind, `${kind}.subject.${language}`, `${kind}.subject`].some((key) => templates[key] !== undefined);
  try {
    const text = await composeMessage(kind, templates, vars, language);
    const customer = recipientOf(kind) === 'customer';
    return {
      text,
      ...(customer ? { subject: await composeSubject(kind, templates, vars, language), html: emailHtml(text, companyName, language) } : {}),
      source: custom ? 'custom' : 'default',
    } satisfies RenderedMessage;
  } catch (error) {
    return { text: '', source: 'custom', error: (error as Error).message } satisfies RenderedMessage;
  }
}

/** Every kind (or the given ones) rendered for the sample booking in both languages. */
export async function previewCatalogue(
  tenant: { name: string; timeZone: string; reviewUrl?: string; dispatch?: { phone?: string }; messaging?: { templates?: Record<string, string> } },
  options: { templates?: Record<string, string>; kinds?: readonly NotificationKind[] } = {},
) {
  const templates = { ...(tenant.messaging?.templates ?? {}), ...(options.templates ?? {}) };
  const vars = Object.fromEntries(MESSAGE_LANGUAGES.map((language) => [language, sampleVariables(tenant, language)])) as Record<
    MessageLanguage,
    MessageVariables
  >;
  const kinds = options.kinds ?? NOTIFICATION_KINDS;
  const described = new Map(describeCatalogue().map((entry) => [entry.kind, entry]));
  return Promise.all(
    kinds.map(async (kind) => ({
      kind,
      recipient: recipientOf(kind),
      channel: channelRuleOf(kind),
      variables: described.get(kind)!.variables,
      defaults: described.get(kind)!.wording,
      templates: Object.fromEntries(Object.entries(templates).filter(([key]) => parseTemplateKey(key)?.kind === kind)),
      rendered: Object.fromEntries(
        await Promise.all(MESSAGE_LANGUAGES.map(async (language) => [language, await render(kind, templates, vars[language], language, tenant.name)])),
      ) as Record<MessageLanguage, RenderedMessage>,
    })),
  );
}
