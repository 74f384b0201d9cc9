/**
 * Message variables, formatted for people: dates, times and money in the company's time zone and
 * the customer's language (Intl: `Mon, Nov 30, 8-10 AM`, `lun, 30 de nov, 8-10 a.m.`, `$129.00`),
 * with the raw values beside them (`windowStartIso`, `dateIso`, `etaIso`). Pure: the send worker,
 * the preview and dispatch suggestions build them from the same raw facts. Dates and times in a zone
 * are Intl's and functions/shared/zoned-time.ts's, not luxon's (issue 19: ~70 KB and its init in
 * every bundle that sends or previews a message); test/unit/notify-variables.test.ts holds the texts.
 */
import { isIanaTimeZone } from '../shared/time-zone';
import { instantOf, isCalendarDate, zonedClock, zonedInstant, zonedIso } from '../shared/zoned-time';

export type MessageLanguage = 'en' | 'es';
export const MESSAGE_LANGUAGES = ['en', 'es'] as const satisfies readonly MessageLanguage[];

/** Every variable a message may use, with what it holds (the catalogue and the preview show these). */
export const VARIABLE_DESCRIPTIONS = {
  firstName: "The customer's first name",
  customerName: "The customer's full name",
  companyName: "The company's name",
  jobTypeName: 'The job type (Drain clog)',
  date: 'The visit day (Mon, Nov 30)',
  weekday: 'The visit weekday (Monday)',
  time: 'The arrival window (8-10 AM)',
  start: 'When the window starts (8 AM)',
  end: 'When the window ends (10 AM)',
  window: 'Day and window (Mon, Nov 30, 8-10 AM)',
  dateIso: 'The visit day, raw (2026-11-30)',
  windowStartIso: 'When the window starts, raw ISO 8601 with offset',
  windowEndIso: 'When the window ends, raw ISO 8601 with offset',
  address: 'The service address (12 Oak St, Austin, TX 78701)',
  technicianName: "The technician's name",
  technicianFirstName: "The technician's first name",
  eta: 'When the technician arrives (Mon, Nov 30, 9:15 AM)',
  etaIso: 'When the technician arrives, raw ISO 8601',
  amount: 'The amount due ($129.00)',
  amountCents: 'The amount due in cents, raw (12900)',
  paymentUrl: 'The payment link',
  reviewUrl: "The company's review page",
  plan: 'The membership plan',
  renewsOn: 'When the membership renews (Dec 14, 2026)',
  renewsOnIso: 'When the membership renews, raw (2026-12-14)',
  nextMaintenanceDate: 'When the next maintenance visit is due (Jun 1, 2027)',
  whatToExpect: 'What to expect at the visit (per job type)',
  prep: 'How the customer prepares (per job type)',
  delayMinutes: 'Minutes the technician runs late',
  customerPhone: "The customer's phone",
  mapUrl: 'A map link to the service address',
  accessNotes: 'Gate codes and access notes',
  membership: "The customer's membership (active plan)",
  checklist: "The job type's prep checklist, for the technician",
  parts: 'Parts the job needs (2x P-trap)',
  notes: 'Booking notes',
  details: 'The job in full for staff: summary, what the customer said, history, equipment',
  options: 'Numbered windows offered by text (1) Tue, Dec 1, 8-10 AM (2) ...',
  replyText: 'What the customer texted back, as they wrote it',
  noBooking: 'Set when a text came from a number with no booking (the dispatcher alert says so)',
  companyPhone: "The company's phone for customers (dispatch)",
  offerWindow: 'A freed slot offered to a waitlisted caller (Mon, Nov 30, 8-10 AM)',
  pageCode: 'The code an on-call technician replies with to take an emergency (YES 123)',
  pageLink: "The on-call page's accept/decline link",
  pagedCount: 'How many on-call technicians were paged for an emergency',
} as const;
export type VariableName = keyof typeof VARIABLE_DESCRIPTIONS;

/** What a message is filled from: only variables that have a value (a template naming another fails). */
export type MessageVariables = Partial<Record<VariableName, string>> & { firstName: string; companyName: string };

const LOCALES: Record<MessageLanguage, string> = { en: 'en-US', es: 'es-US' };

/** SMS-safe: Intl's narrow and thin spaces become spaces, its dashes hyphens. */
const plain = (text: string) =>
  text
    .replace(/[\u202f\u2009\u00a0]/g, ' ')
    .replace(/\s*[\u2013\u2014]\s*/g, '-')
    .replace(/\s+/g, ' ')
    .trim();

const formats = new Map<string, Intl.DateTimeFormat>();

/** Intl's formatter for these options, made once per warm container (making one costs more than using it). */
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  const known = formats.get(key);
  if (known) return known;
  const format = new Intl.DateTimeFormat(locale, options);
  formats.set(key, format);
  return format;
}

/** An instant with the zone its clocks are read in. */
interface ZonedInstant {
  at: Date;
  timeZone: string;
}

const minuteOf = ({ at, timeZone }: ZonedInstant) => Number(zonedClock(at, timeZone).slice(3));
const isValid = (at: Date) => !Number.isNaN(+at);

/** "8 AM" or "8:30 AM" (Spanish "8 a.m."): minutes only when there are some. */
function clock(instant: ZonedInstant, locale: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: 'numeric', ...(minuteOf(instant) ? { minute: '2-digit' } : {}), timeZone: instant.timeZone };
  return plain(dateFormat(locale, options).format(instant.at));
}

/** "8-10 AM", "10:30 AM-1 PM", "8-10 a.m." (Intl's range format, which drops a repeated AM). */
function clockRange(from: ZonedInstant, to: ZonedInstant, locale: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: 'numeric', timeZone: from.timeZone };
  if (minuteOf(from) || minuteOf(to)) options.minute = '2-digit';
  return plain(dateFormat(locale, options).formatRange(from.at, to.at));
}

const day = ({ at, timeZone }: ZonedInstant, locale: string) =>
  plain(dateFormat(locale, { weekday: 'short', month: 'short', day: 'numeric', timeZone }).format(at));

/** "Dec 14, 2026": a calendar date as it is; a date-time on this runtime's clocks (luxon's default zone). */
const longDate = (iso: string, locale: string) => {
  const calendarDate = isCalendarDate(iso);
  const runtimeZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  const at = calendarDate ? new Date(`${iso}T00:00:00Z`) : instantOf(iso, runtimeZone);
  if (!isValid(at)) return iso;
  return plain(dateFormat(locale, { month: 'short', day: 'numeric', year: 'numeric', timeZone: calendarDate ? 'UTC' : runtimeZone }).format(at));
};

export function formatMoney(cents: number, language: MessageLanguage, currency = 'USD'): string {
  return new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

/** A window for people: date, weekday, times, and the two together; raw instants beside them. */
export function formatWindow(window: { date: string; start: string; end?: string }, timeZone: string, language: MessageLanguage) {
  const locale = LOCALES[language];
  const startAt = windowInstant(window.date, window.start || '00:00', timeZone);
  if (!isValid(startAt)) return { date: window.date, window: window.date };
  const from = { at: startAt, timeZone };
  const endAt = window.end ? windowInstant(window.date, window.end, timeZone) : undefined;
  const to = endAt && isValid(endAt) ? { at: endAt, timeZone } : undefined;
  const date = day(from, locale);
  const time = window.start ? (to ? clockRange(from, to, locale) : clock(from, locale)) : undefined;
  return {
    date,
    weekday: dateFormat(locale, { weekday: 'long', timeZone }).format(startAt),
    time,
    start: window.start ? clock(from, locale) : undefined,
    end: to ? clock(to, locale) : undefined,
    window: time ? `${date}, ${time}` : date,
    dateIso: window.date,
    windowStartIso: window.start ? zonedIso(startAt, timeZone) : undefined,
    windowEndIso: to ? zonedIso(to.at, timeZone) : undefined,
  };
}

/** "Mon, Nov 30, 9:15 AM" in the company's zone: an ETA always carries its day. */
export function formatInstant(iso: string, timeZone: string, language: MessageLanguage): string {
  const at = instantOf(iso, timeZone);
  if (!isValid(at) || !isIanaTimeZone(timeZone)) return iso;
  const locale = LOCALES[language];
  return `${day({ at, timeZone }, locale)}, ${clock({ at, timeZone }, locale)}`;
}

/** The instant a window's date and clock time (`HH:mm`) name in `timeZone`; invalid when they name none. */
function windowInstant(date: string, time: string, timeZone: string): Date {
  if (!isCalendarDate(date) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time) || !isIanaTimeZone(timeZone)) return new Date(Number.NaN);
  return zonedInstant(date, timeZone, time);
}

/** The raw facts a message is about; every field but the names is optional. */
export interface MessageFacts {
  language?: MessageLanguage;
  timeZone?: string;
  currency?: string;
  customerName: string;
  companyName: string;
  jobTypeName?: string;
  window?: { date: string; start: string; end?: string } | null;
  address?: { line1: string; line2?: string; city?: string; region?: string; postalCode?: string } | null;
  technicianName?: string;
  customerPhone?: string;
  etaIso?: string;
  amountCents?: number;
  /** Per job type, in the customer's language when it has one. */
  whatToExpect?: string;
  prep?: string;
  checklist?: string[];
  parts?: Array<{ part: string; quantity?: number }>;
  membership?: string;
  /** Facts stored with a job event or membership (messageVars: plan, renewsOn, reviewUrl, amount...). */
  job?: Record<string, string | number | undefined>;
}

const firstWord = (name: string) => name.trim().split(/\s+/)[0] ?? name;

/** The variables every message is filled from (default wording and tenant templates alike). */
export function messageVariables(facts: MessageFacts): MessageVariables {
  const language = facts.language ?? 'en';
  const locale = LOCALES[language];
  const zone = facts.timeZone ?? 'America/Chicago';
  const job = Object.fromEntries(
    Object.entries(facts.job ?? {})
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  );
  const address = facts.address
    ? [
        [facts.address.line1, facts.address.line2].filter(Boolean).join(' '),
        facts.address.city,
        [facts.address.region, facts.address.postalCode].filter(Boolean).join(' '),
      ]
        .filter(Boolean)
        .join(', ')
    : undefined;
  const technicianName = facts.technicianName ?? job.technicianName;
  const etaIso = facts.etaIso ?? job.etaIso ?? job.eta;
  const renewsOnIso = job.renewsOn && /^\d{4}-\d{2}-\d{2}$/.test(job.renewsOn) ? job.renewsOn : undefined;
  const amountCents = facts.amountCents ?? (job.amountCents ? Number(job.amountCents) : undefined);
  const vars: Record<string, string | undefined> = {
    ...job,
    firstName: firstWord(facts.customerName),
    customerName: facts.customerName,
    companyName: facts.companyName,
    jobTypeName: facts.jobTypeName ?? (language === 'es' ? 'servicio' : 'service'),
    ...(facts.window ? formatWindow(facts.window, zone, language) : {}),
    address,
    technicianName,
    technicianFirstName: technicianName ? firstWord(technicianName) : undefined,
    customerPhone: facts.customerPhone,
    mapUrl: address ? `https://maps.google.com/?q=${encodeURIComponent(address)}` : undefined,
    eta: etaIso && isValid(instantOf(etaIso, zone)) ? formatInstant(etaIso, zone, language) : job.etaLabel,
    etaIso: etaIso && isValid(instantOf(etaIso, zone)) ? etaIso : undefined,
    amount: amountCents !== undefined && Number.isFinite(amountCents) ? formatMoney(amountCents, language, facts.currency) : job.amount,
    amountCents: amountCents !== undefined && Number.isFinite(amountCents) ? String(amountCents) : undefined,
    renewsOn: renewsOnIso ? longDate(renewsOnIso, locale) : job.renewsOn,
    renewsOnIso,
    nextMaintenanceDate: job.nextMaintenanceDate ? longDate(job.nextMaintenanceDate, locale) : undefined,
    whatToExpect: facts.whatToExpect,
    prep: facts.prep,
    checklist: facts.checklist?.length ? facts.checklist.join('; ') : undefined,
    parts: facts.parts?.length ? facts.parts.map((p) => `${p.quantity ?? 1}x ${p.part}`).join(', ') : undefined,
    membership: facts.membership,
  };
  // Only what has a value: a template naming an empty variable fails (strict) rather than send a blank.
  return Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined && v !== '')) as MessageVariables;
}
