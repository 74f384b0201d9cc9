/**
 * The message catalogue: every kind of message once, with who it is for, the variables it may use
 * and its default wording in English and Spanish (Handlebars, the same language tenant templates are
 * written in). Kinds are read from here (the ledger's rows, the planners, the worker, the preview).
 * A tenant's template for a kind (messaging.templates, checked when saved) replaces the default.
 *
 * Adding a kind is one row:
 *   my_kind: {
 *     recipient: 'customer',                 // customer | technician | dispatch | manager
 *     vars: ['eta'],                         // variables beyond COMMON_VARIABLES it may use
 *     subject: { en: '...', es: '...' },     // email subject (customer kinds; a default when absent)
 *     en: 'Hi {{firstName}}, ...',
 *     es: 'Hola {{firstName}}, ...',
 *   },
 * Every variable is formatted for people in the company's time zone and the customer's language
 * (`{{window}}` = "Mon, Nov 30, 8-10 AM"); the raw values stay available (`{{windowStartIso}}`).
 * A variable without a value is left out: wrap optional ones in `{{#if eta}}...{{/if}}`.
 */
import { renderTemplate, templateVariables } from './templates';
import { VARIABLE_DESCRIPTIONS, type MessageLanguage, type MessageVariables, type VariableName } from './variables';

export type { MessageLanguage, MessageVariables, VariableName } from './variables';
export { messageVariables } from './variables';

/** Who a message is for: the customer by their channel; staff (technician, dispatch, on-call manager) by SMS. */
export type Recipient = 'customer' | 'technician' | 'dispatch' | 'manager';

type Wording = Record<MessageLanguage, string>;

interface CatalogueEntry {
  recipient: Recipient;
  /** Variables this kind may use beyond COMMON_VARIABLES. */
  vars?: readonly VariableName[];
  /** Email subject; customer kinds without one get "<company>: <first line>"-style defaults. */
  subject?: Wording;
  /** The message carries the job's full context for the people doing it (details, address, phone, checklist). */
  jobDetails?: true;
  en: string;
  es: string;
}

/** What every kind may use: who, what, when and where. */
export const COMMON_VARIABLES = [
  'firstName',
  'customerName',
  'companyName',
  'jobTypeName',
  'date',
  'weekday',
  'time',
  'start',
  'end',
  'window',
  'dateIso',
  'windowStartIso',
  'windowEndIso',
  'address',
  'technicianName',
  'technicianFirstName',
] as const satisfies readonly VariableName[];

const STOP = { en: ' Reply STOP to opt out.', es: ' Responda STOP para no recibir más mensajes.' };
const JOB_FACTS = ['details', 'accessNotes', 'customerPhone', 'mapUrl', 'membership', 'checklist', 'parts', 'notes'] as const;
const visitPrep = {
  en: '{{#if whatToExpect}} What to expect: {{whatToExpect}}{{/if}}{{#if prep}} To prepare: {{prep}}{{/if}}',
  es: '{{#if whatToExpect}} Qué esperar: {{whatToExpect}}{{/if}}{{#if prep}} Cómo prepararse: {{prep}}{{/if}}',
};
const paymentReminder = (final: boolean): CatalogueEntry => ({
  recipient: 'customer',
  vars: ['amount', 'paymentUrl'],
  subject: {
    en: final
      ? 'Final reminder: your {{companyName}} invoice{{#if amount}} ({{amount}}){{/if}}'
      : 'Your {{companyName}} invoice{{#if amount}} for {{amount}}{{/if}}',
    es: final
      ? 'Último aviso: su factura de {{companyName}}{{#if amount}} ({{amount}}){{/if}}'
      : 'Su factura de {{companyName}}{{#if amount}} por {{amount}}{{/if}}',
  },
  en: `Hi {{firstName}}, a ${final ? 'final ' : ''}reminder from {{companyName}}: your invoice for {{jobTypeName}} on {{date}}{{#if amount}} ({{amount}}){{/if}} is open. {{#if paymentUrl}}Pay here: {{paymentUrl}}{{else}}Reply PAY for a payment link.{{/if}}`,
  es: `Hola {{firstName}}, ${final ? 'último ' : ''}aviso de {{companyName}}: su factura de {{jobTypeName}} del {{date}}{{#if amount}} ({{amount}}){{/if}} está pendiente. {{#if paymentUrl}}Pague aquí: {{paymentUrl}}{{else}}Responda PAY para recibir un enlace de pago.{{/if}}`,
});
const renewalNotice: CatalogueEntry = {
  recipient: 'customer',
  vars: ['plan', 'renewsOn', 'amount'],
  subject: { en: 'Your {{plan}} renews on {{renewsOn}}', es: 'Su {{plan}} se renueva el {{renewsOn}}' },
  en: `Hi {{firstName}}, your {{plan}} with {{companyName}} renews on {{renewsOn}}{{#if amount}} for {{amount}}{{/if}}. Nothing to do if you want to keep it; reply with any question.${STOP.en}`,
  es: `Hola {{firstName}}, su {{plan}} con {{companyName}} se renueva el {{renewsOn}}{{#if amount}} por {{amount}}{{/if}}. No tiene que hacer nada para mantenerla; responda si tiene preguntas.${STOP.es}`,
};
const winback: CatalogueEntry = {
  recipient: 'customer',
  vars: ['plan'],
  subject: { en: 'We miss you at {{companyName}}', es: 'Lo extrañamos en {{companyName}}' },
  en: `Hi {{firstName}}, we miss you at {{companyName}}! Renew your {{plan}} and keep priority service and tune-ups. Reply RENEW.${STOP.en}`,
  es: `Hola {{firstName}}, ¡lo extrañamos en {{companyName}}! Renueve su {{plan}} y conserve el servicio prioritario y los mantenimientos. Responda RENEW.${STOP.es}`,
};
const noSaleFollowup: CatalogueEntry = {
  recipient: 'customer',
  subject: { en: 'Your {{jobTypeName}} quote from {{companyName}}', es: 'Su presupuesto de {{jobTypeName}} de {{companyName}}' },
  en: `Hi {{firstName}}, {{companyName}} here about the {{jobTypeName}} quote from our visit. Still thinking it over? Reply to book the work or ask a question.${STOP.en}`,
  es: `Hola {{firstName}}, le escribe {{companyName}} sobre el presupuesto de {{jobTypeName}} de nuestra visita. ¿Lo sigue pensando? Responda para programar el trabajo o hacer una pregunta.${STOP.es}`,
};
const staffJob = (en: string, es: string): CatalogueEntry => ({ recipient: 'technician', vars: JOB_FACTS, jobDetails: true, en, es });
const jobLines = {
  en: '{{jobTypeName}} for {{customerName}}, {{window}}.{{#if address}} {{address}}{{/if}}{{#if mapUrl}} Map: {{mapUrl}}{{/if}}{{#if customerPhone}} Phone: {{customerPhone}}{{/if}}{{#if accessNotes}} Access: {{accessNotes}}{{/if}}{{#if membership}} Member: {{membership}}{{/if}}{{#if checklist}} Prep: {{checklist}}{{/if}}{{#if parts}} Parts: {{parts}}{{/if}}{{#if details}} {{details}}{{/if}}',
  es: '{{jobTypeName}} para {{customerName}}, {{window}}.{{#if address}} {{address}}{{/if}}{{#if mapUrl}} Mapa: {{mapUrl}}{{/if}}{{#if customerPhone}} Tel: {{customerPhone}}{{/if}}{{#if accessNotes}} Acceso: {{accessNotes}}{{/if}}{{#if membership}} Miembro: {{membership}}{{/if}}{{#if checklist}} Preparar: {{checklist}}{{/if}}{{#if parts}} Piezas: {{parts}}{{/if}}{{#if details}} {{details}}{{/if}}',
};

export const NOTIFICATION_CATALOGUE = {
  confirmation: {
    recipient: 'customer',
    vars: ['whatToExpect', 'prep'],
    subject: { en: 'Your {{jobTypeName}} visit is confirmed for {{date}}', es: 'Su visita de {{jobTypeName}} está confirmada para el {{date}}' },
    en: `Hi {{firstName}}, your {{jobTypeName}} visit with {{companyName}} is confirmed for {{window}}{{#if address}} at {{address}}{{/if}}.{{#if technicianFirstName}} {{technicianFirstName}} will be your technician.{{/if}}${visitPrep.en} Need another time? Reply R to reschedule.${STOP.en}`,
    es: `Hola {{firstName}}, su visita de {{jobTypeName}} con {{companyName}} está confirmada para el {{window}}{{#if address}} en {{address}}{{/if}}.{{#if technicianFirstName}} Su técnico será {{technicianFirstName}}.{{/if}}${visitPrep.es} ¿Necesita otro horario? Responda R para cambiar la cita.${STOP.es}`,
  },
  /** The confirmation for a window already under way: when the technician arrives at the latest, never the window's start. */
  confirmation_arriving_by: {
    recipient: 'customer',
    vars: ['whatToExpect', 'prep'],
    subject: { en: 'A technician will arrive by {{end}}', es: 'Un técnico llegará a más tardar a las {{end}}' },
    en: `Hi {{firstName}}, your {{jobTypeName}} visit with {{companyName}} is confirmed for today: {{#if technicianFirstName}}{{technicianFirstName}}{{else}}a technician{{/if}} will arrive{{#if address}} at {{address}}{{/if}} by {{end}}.${visitPrep.en}${STOP.en}`,
    es: `Hola {{firstName}}, su visita de {{jobTypeName}} con {{companyName}} está confirmada para hoy: {{#if technicianFirstName}}{{technicianFirstName}}{{else}}un técnico{{/if}} llegará{{#if address}} a {{address}}{{/if}} a más tardar a las {{end}}.${visitPrep.es}${STOP.es}`,
  },
  reminder_48h: {
    recipient: 'customer',
    vars: ['prep'],
    subject: { en: 'Reminder: {{jobTypeName}} on {{weekday}}, {{time}}', es: 'Recordatorio: {{jobTypeName}} el {{weekday}}, {{time}}' },
    en: 'Hi {{firstName}}, a reminder from {{companyName}}: your {{jobTypeName}} visit is on {{window}}{{#if address}} at {{address}}{{/if}}.{{#if prep}} To prepare: {{prep}}{{/if}} Reply R to reschedule.',
    es: 'Hola {{firstName}}, un recordatorio de {{companyName}}: su visita de {{jobTypeName}} es el {{window}}{{#if address}} en {{address}}{{/if}}.{{#if prep}} Cómo prepararse: {{prep}}{{/if}} Responda R para cambiar la cita.',
  },
  reminder_day_of: {
    recipient: 'customer',
    subject: { en: 'See you today, {{time}}', es: 'Lo vemos hoy, {{time}}' },
    en: 'Hi {{firstName}}, {{companyName}} will see you today, {{date}}, between {{start}} and {{end}}{{#if technicianFirstName}}: {{technicianFirstName}} is your technician{{/if}}. We will text when on the way.',
    es: 'Hola {{firstName}}, {{companyName}} lo visitará hoy, {{date}}, entre {{start}} y {{end}}{{#if technicianFirstName}}: su técnico es {{technicianFirstName}}{{/if}}. Le escribiremos cuando vayamos en camino.',
  },
  request_received: {
    recipient: 'customer',
    subject: { en: 'We have your {{jobTypeName}} request', es: 'Recibimos su solicitud de {{jobTypeName}}' },
    en: 'Hi {{firstName}}, {{companyName}} has your {{jobTypeName}} request. Our dispatcher will confirm your appointment time shortly.',
    es: 'Hola {{firstName}}, {{companyName}} recibió su solicitud de {{jobTypeName}}. Nuestro despachador confirmará el horario de su cita en breve.',
  },
  oncall_alert: staffJob(`EMERGENCY (on call): ${jobLines.en}`, `EMERGENCIA (de guardia): ${jobLines.es}`),
  reschedule_confirmation: {
    recipient: 'customer',
    subject: { en: 'Your {{jobTypeName}} visit moved to {{date}}', es: 'Su visita de {{jobTypeName}} cambió al {{date}}' },
    en: `Hi {{firstName}}, your {{jobTypeName}} visit with {{companyName}} has moved to {{window}}{{#if technicianFirstName}} with {{technicianFirstName}}{{/if}}.${STOP.en}`,
    es: `Hola {{firstName}}, su visita de {{jobTypeName}} con {{companyName}} cambió al {{window}}{{#if technicianFirstName}} con {{technicianFirstName}}{{/if}}.${STOP.es}`,
  },
  /** Same window, another technician (a dispatcher's move or swap). */
  technician_changed: {
    recipient: 'customer',
    subject: { en: 'A new technician for your {{jobTypeName}} visit', es: 'Un nuevo técnico para su visita de {{jobTypeName}}' },
    en: 'Hi {{firstName}}, an update from {{companyName}}: {{#if technicianFirstName}}{{technicianFirstName}}{{else}}another technician{{/if}} will be your technician for your {{jobTypeName}} visit, still on {{window}}.',
    es: 'Hola {{firstName}}, una novedad de {{companyName}}: {{#if technicianFirstName}}{{technicianFirstName}}{{else}}otro técnico{{/if}} será su técnico para la visita de {{jobTypeName}}, que sigue el {{window}}.',
  },
  cancellation: {
    recipient: 'customer',
    subject: { en: 'Your {{jobTypeName}} visit on {{date}} is cancelled', es: 'Su visita de {{jobTypeName}} del {{date}} está cancelada' },
    en: 'Hi {{firstName}}, your {{jobTypeName}} visit with {{companyName}} on {{window}} is cancelled. Reply or call us any time to book again.',
    es: 'Hola {{firstName}}, su visita de {{jobTypeName}} con {{companyName}} del {{window}} está cancelada. Responda o llámenos cuando quiera para volver a programarla.',
  },
  technician_assigned: staffJob(`New job: ${jobLines.en}`, `Trabajo nuevo: ${jobLines.es}`),
  technician_unassigned: {
    recipient: 'technician',
    en: 'Job removed from your schedule: {{jobTypeName}} for {{customerName}}, {{window}}.',
    es: 'Trabajo retirado de su agenda: {{jobTypeName}} para {{customerName}}, {{window}}.',
  },
  // Job trail (functions/trail/): the job with full context to its technician; new-job alerts to dispatch
  technician_job: staffJob(`Job: ${jobLines.en}`, `Trabajo: ${jobLines.es}`),
  dispatcher_alert: { ...staffJob(`New booking: ${jobLines.en}`, `Nueva reserva: ${jobLines.es}`), recipient: 'dispatch' },
  /** To dispatch: a booking the system could not finish (its slot was lost, its workflow died): call the customer. */
  dispatcher_callback: {
    recipient: 'dispatch',
    vars: ['customerPhone'],
    en: 'Call back {{customerName}}{{#if customerPhone}} at {{customerPhone}}{{/if}}: their {{jobTypeName}} could not be booked automatically and holds no slot. See the review queue in the console.',
    es: 'Devuelva la llamada a {{customerName}}{{#if customerPhone}} al {{customerPhone}}{{/if}}: su {{jobTypeName}} no se pudo reservar automáticamente y no tiene horario. Vea la cola de revisión en la consola.',
  },
  /** To a waitlisted caller (functions/leads/waitlist.ts): a slot of their trade freed up. Nothing is held for them. (Helper B; Spanish to be checked by E.) */
  waitlist_offer: {
    recipient: 'customer',
    vars: ['offerWindow'],
    subject: { en: 'A {{jobTypeName}} visit opened up', es: 'Se abrió un horario para {{jobTypeName}}' },
    en: `Hi {{firstName}}, good news from {{companyName}}: a {{jobTypeName}} visit opened up for {{offerWindow}}. It is not held for you: call us to take it, first come first served.${STOP.en}`,
    es: `Hola {{firstName}}, buenas noticias de {{companyName}}: se abrió un horario de {{jobTypeName}} para el {{offerWindow}}. No está reservado para usted: llámenos para tomarlo, se asigna por orden de llegada.${STOP.es}`,
  },
  manager_alert: { ...staffJob(`EMERGENCY booked: ${jobLines.en}`, `EMERGENCIA reservada: ${jobLines.es}`), recipient: 'manager' },
  /** To dispatch: a technician runs late and their next job is at risk (dispatch suggestions). */
  delay_alert: {
    recipient: 'dispatch',
    vars: ['delayMinutes'],
    en: 'Running late: {{#if technicianName}}{{technicianName}}{{else}}a technician{{/if}} is {{#if delayMinutes}}{{delayMinutes}}{{else}}some{{/if}} min behind on {{jobTypeName}} for {{customerName}} ({{window}}); their next job is at risk. Options: Dispatch in the console.',
    es: 'Retraso: {{#if technicianName}}{{technicianName}}{{else}}un técnico{{/if}} va {{#if delayMinutes}}{{delayMinutes}}{{else}}unos{{/if}} min atrasado en {{jobTypeName}} para {{customerName}} ({{window}}); su siguiente trabajo está en riesgo. Opciones: Despacho en la consola.',
  },
  // Job lifecycle from the field (functions/lifecycle/actions.ts)
  eta: {
    recipient: 'customer',
    vars: ['eta', 'etaIso'],
    subject: {
      en: 'Your technician arrives {{#if eta}}around {{eta}}{{else}}{{window}}{{/if}}',
      es: 'Su técnico llega {{#if eta}}alrededor de {{eta}}{{else}}el {{window}}{{/if}}',
    },
    en: 'Hi {{firstName}}, {{#if technicianFirstName}}{{technicianFirstName}}{{else}}your technician{{/if}} from {{companyName}} is scheduled to arrive {{#if eta}}around {{eta}}{{else}}{{window}}{{/if}}.',
    es: 'Hola {{firstName}}, {{#if technicianFirstName}}{{technicianFirstName}}{{else}}su técnico{{/if}} de {{companyName}} tiene previsto llegar {{#if eta}}alrededor de {{eta}}{{else}}el {{window}}{{/if}}.',
  },
  on_the_way: {
    recipient: 'customer',
    vars: ['eta', 'etaIso'],
    subject: {
      en: '{{#if technicianFirstName}}{{technicianFirstName}}{{else}}Your technician{{/if}} is on the way',
      es: '{{#if technicianFirstName}}{{technicianFirstName}}{{else}}Su técnico{{/if}} va en camino',
    },
    en: 'Hi {{firstName}}, {{#if technicianFirstName}}{{technicianFirstName}}{{else}}your technician{{/if}} from {{companyName}} is on the way{{#if eta}}, arriving around {{eta}}{{/if}}.',
    es: 'Hola {{firstName}}, {{#if technicianFirstName}}{{technicianFirstName}}{{else}}su técnico{{/if}} de {{companyName}} va en camino{{#if eta}} y llegará alrededor de {{eta}}{{/if}}.',
  },
  thank_you: {
    recipient: 'customer',
    subject: { en: 'Thank you from {{companyName}}', es: 'Gracias de parte de {{companyName}}' },
    en: 'Thank you for choosing {{companyName}}, {{firstName}}! Your {{jobTypeName}} visit{{#if technicianFirstName}} with {{technicianFirstName}}{{/if}} is complete. Questions? Just reply.',
    es: '¡Gracias por elegir {{companyName}}, {{firstName}}! Su visita de {{jobTypeName}}{{#if technicianFirstName}} con {{technicianFirstName}}{{/if}} está terminada. ¿Preguntas? Solo responda.',
  },
  review_request: {
    recipient: 'customer',
    vars: ['reviewUrl'],
    subject: { en: 'How did {{companyName}} do?', es: '¿Qué tal lo hizo {{companyName}}?' },
    en: `Hi {{firstName}}, how did {{companyName}} do on your {{jobTypeName}}? A short review helps us a lot{{#if reviewUrl}}: {{reviewUrl}}{{else}}.{{/if}}${STOP.en}`,
    es: `Hola {{firstName}}, ¿qué tal lo hizo {{companyName}} con su {{jobTypeName}}? Una breve reseña nos ayuda mucho{{#if reviewUrl}}: {{reviewUrl}}{{else}}.{{/if}}${STOP.es}`,
  },
  rebooking_followup: {
    recipient: 'customer',
    subject: { en: 'Time for your next {{jobTypeName}}', es: 'Es hora de su próximo {{jobTypeName}}' },
    en: "Hi {{firstName}}, it's time to book your next {{jobTypeName}} with {{companyName}}. Reply or call us to pick a time.",
    es: 'Hola {{firstName}}, es hora de programar su próximo {{jobTypeName}} con {{companyName}}. Responda o llámenos para elegir un horario.',
  },
  maintenance_due: {
    recipient: 'customer',
    vars: ['nextMaintenanceDate'],
    subject: { en: 'Your {{jobTypeName}} is due', es: 'Le toca su {{jobTypeName}}' },
    en: 'Hi {{firstName}}, your next {{jobTypeName}} with {{companyName}} is due{{#if nextMaintenanceDate}} on {{nextMaintenanceDate}}{{/if}}. Reply to book a visit.',
    es: 'Hola {{firstName}}, le toca su próximo {{jobTypeName}} con {{companyName}}{{#if nextMaintenanceDate}} el {{nextMaintenanceDate}}{{/if}}. Responda para programar una visita.',
  },
  payment_reminder: paymentReminder(false),
  payment_reminder_2: paymentReminder(false),
  payment_reminder_final: paymentReminder(true),
  no_show_followup: {
    recipient: 'customer',
    subject: { en: 'We missed you on {{date}}', es: 'No lo encontramos el {{date}}' },
    en: 'Hi {{firstName}}, {{companyName}} missed you for your {{jobTypeName}} on {{window}}. Reply R to pick a new time.',
    es: 'Hola {{firstName}}, {{companyName}} no lo encontró para su {{jobTypeName}} del {{window}}. Responda R para elegir un nuevo horario.',
  },
  // Emergency dispatch now (functions/emergency/): pages in turn, escalation, the customer told honestly
  /** To one on-call technician: accept by reply (YES/NO with the code) or by the link. */
  oncall_page: {
    recipient: 'technician',
    vars: [...JOB_FACTS, 'pageCode', 'pageLink'],
    jobDetails: true,
    en: 'EMERGENCY now: {{jobTypeName}} for {{customerName}}.{{#if address}} {{address}}{{/if}}{{#if details}} {{details}}{{/if}} Reply YES {{pageCode}} to take it or NO {{pageCode}} to pass{{#if pageLink}}, or open {{pageLink}}{{/if}}.',
    es: 'EMERGENCIA ahora: {{jobTypeName}} para {{customerName}}.{{#if address}} {{address}}{{/if}}{{#if details}} {{details}}{{/if}} Responda YES {{pageCode}} para tomarla o NO {{pageCode}} para pasar{{#if pageLink}}, o abra {{pageLink}}{{/if}}.',
  },
  /** To the on-call manager: nobody accepted the emergency within the tenant's minutes. */
  oncall_escalation: {
    recipient: 'manager',
    vars: [...JOB_FACTS, 'pagedCount'],
    jobDetails: true,
    en: 'ESCALATION: no on-call technician has accepted the EMERGENCY {{jobTypeName}} for {{customerName}}{{#if address}} at {{address}}{{/if}}{{#if pagedCount}} ({{pagedCount}} paged){{/if}}. Send someone now; see the review queue.{{#if customerPhone}} Phone: {{customerPhone}}{{/if}}',
    es: 'ESCALAMIENTO: ningún técnico de guardia aceptó la EMERGENCIA de {{jobTypeName}} para {{customerName}}{{#if address}} en {{address}}{{/if}}{{#if pagedCount}} ({{pagedCount}} avisados){{/if}}. Envíe a alguien ya; vea la cola de revisión.{{#if customerPhone}} Tel: {{customerPhone}}{{/if}}',
  },
  /** To the customer at once: honest, no time promised before a technician accepts. */
  emergency_dispatching: {
    recipient: 'customer',
    subject: { en: 'A technician is being dispatched', es: 'Estamos enviando a un técnico' },
    en: "Hi {{firstName}}, {{companyName}} has your emergency {{jobTypeName}} request: a technician is being dispatched; we'll text you their ETA.",
    es: 'Hola {{firstName}}, {{companyName}} recibió su emergencia de {{jobTypeName}}: estamos enviando a un técnico; le escribiremos su hora de llegada.',
  },
  /** To the customer when an on-call technician accepted: who comes, and by when. */
  emergency_eta: {
    recipient: 'customer',
    vars: ['eta', 'etaIso'],
    subject: { en: 'Your technician is on the way', es: 'Su técnico va en camino' },
    en: 'Hi {{firstName}}, {{#if technicianFirstName}}{{technicianFirstName}}{{else}}a technician{{/if}} from {{companyName}} has accepted your emergency and is on the way, arriving by {{#if eta}}{{eta}}{{else}}{{end}}{{/if}}.',
    es: 'Hola {{firstName}}, {{#if technicianFirstName}}{{technicianFirstName}}{{else}}un técnico{{/if}} de {{companyName}} aceptó su emergencia y va en camino; llegará a más tardar {{#if eta}}{{eta}}{{else}}{{end}}{{/if}}.',
  },
  safety_advice_water: {
    recipient: 'customer',
    subject: { en: 'Safety advice: shut off the water', es: 'Consejo de seguridad: cierre el agua' },
    en: '{{companyName}} safety advice: shut off the main water valve now (often near the water meter or where the line enters the house) and turn off the water heater. Keep away from wet outlets and switches.',
    es: 'Consejo de seguridad de {{companyName}}: cierre ya la llave de paso principal del agua (suele estar junto al medidor o donde entra la tubería a la casa) y apague el calentador. No toque enchufes ni interruptores mojados.',
  },
  safety_advice_gas: {
    recipient: 'customer',
    subject: { en: 'Safety advice: leave the house', es: 'Consejo de seguridad: salga de la casa' },
    en: '{{companyName}} safety advice: if you smell gas, leave the house now with everyone, do not use switches, flames or phones inside, and call your gas utility from outside. Call 911 if the smell is strong.',
    es: 'Consejo de seguridad de {{companyName}}: si huele a gas, salga ya de la casa con todos, no use interruptores, llamas ni teléfonos adentro, y llame a su compañía de gas desde afuera. Llame al 911 si el olor es fuerte.',
  },
  safety_advice_electrical: {
    recipient: 'customer',
    subject: { en: 'Safety advice: power off', es: 'Consejo de seguridad: corte la luz' },
    en: '{{companyName}} safety advice: if you can do so safely, switch off the power at the main breaker, keep away from sparking or burning equipment, and call 911 if there is fire or smoke.',
    es: 'Consejo de seguridad de {{companyName}}: si puede hacerlo sin riesgo, corte la luz en el interruptor principal, aléjese de equipos con chispas o que huelan a quemado, y llame al 911 si hay fuego o humo.',
  },
  safety_advice_general: {
    recipient: 'customer',
    subject: { en: 'Safety advice while you wait', es: 'Consejo de seguridad mientras espera' },
    en: '{{companyName}} safety advice: keep everyone away from the problem area until the technician arrives; call 911 if anyone is in danger.',
    es: 'Consejo de seguridad de {{companyName}}: mantenga a todos lejos de la zona del problema hasta que llegue el técnico; llame al 911 si alguien corre peligro.',
  },
  // Memberships (functions/renewals/): notices, payment retry, win-back
  renewal_60d: renewalNotice,
  renewal_30d: renewalNotice,
  renewal_7d: renewalNotice,
  renewal_0d: {
    recipient: 'customer',
    vars: ['plan', 'amount'],
    subject: { en: 'Your {{plan}} renews today', es: 'Su {{plan}} se renueva hoy' },
    en: 'Hi {{firstName}}, your {{plan}} with {{companyName}} renews today{{#if amount}} for {{amount}}{{/if}}.',
    es: 'Hola {{firstName}}, su {{plan}} con {{companyName}} se renueva hoy{{#if amount}} por {{amount}}{{/if}}.',
  },
  renewal_confirmed: {
    recipient: 'customer',
    vars: ['plan', 'renewsOn'],
    subject: { en: 'Your {{plan}} is renewed', es: 'Su {{plan}} está renovada' },
    en: 'Hi {{firstName}}, your {{plan}} with {{companyName}} is renewed until {{renewsOn}}. Thank you!',
    es: 'Hola {{firstName}}, su {{plan}} con {{companyName}} está renovada hasta el {{renewsOn}}. ¡Gracias!',
  },
  renewal_payment_failed: {
    recipient: 'customer',
    vars: ['plan', 'paymentUrl'],
    subject: { en: 'Your {{plan}} renewal payment did not go through', es: 'El pago de renovación de su {{plan}} no se completó' },
    en: 'Hi {{firstName}}, the renewal payment for your {{plan}} with {{companyName}} did not go through. We will try again; {{#if paymentUrl}}update your card here: {{paymentUrl}}{{else}}reply to update your card{{/if}}.',
    es: 'Hola {{firstName}}, el pago de renovación de su {{plan}} con {{companyName}} no se completó. Lo intentaremos de nuevo; {{#if paymentUrl}}actualice su tarjeta aquí: {{paymentUrl}}{{else}}responda para actualizar su tarjeta{{/if}}.',
  },
  winback_1: winback,
  winback_2: winback,
  winback_3: winback,
  // Rebooking sequence after a no-sale visit (functions/lifecycle/plan.ts)
  no_sale_followup_1: noSaleFollowup,
  no_sale_followup_2: noSaleFollowup,
  no_sale_followup_3: noSaleFollowup,
  // Answers to a customer's text reply (two-way SMS, notify/customer-reply.ts), sent as the webhook's reply
  reply_confirmed: {
    recipient: 'customer',
    en: 'Thanks {{firstName}}, you are confirmed: {{jobTypeName}} with {{companyName}}{{#if window}} on {{window}}{{/if}}. Reply R to reschedule.',
    es: 'Gracias {{firstName}}, su cita está confirmada: {{jobTypeName}} con {{companyName}}{{#if window}} el {{window}}{{/if}}. Responda R para cambiarla.',
  },
  reply_confirm_pending: {
    recipient: 'customer',
    en: 'Thanks {{firstName}}, {{companyName}} has your {{jobTypeName}} request; our dispatcher will confirm your time shortly.',
    es: 'Gracias {{firstName}}, {{companyName}} tiene su solicitud de {{jobTypeName}}; nuestro despachador confirmará su horario en breve.',
  },
  reply_reschedule_options: {
    recipient: 'customer',
    vars: ['options'],
    en: '{{companyName}}: reply with a number to move your {{jobTypeName}} visit{{#if window}} from {{window}}{{/if}}: {{#if options}}{{options}}{{/if}}',
    es: '{{companyName}}: responda con un número para cambiar su visita de {{jobTypeName}}{{#if window}} del {{window}}{{/if}}: {{#if options}}{{options}}{{/if}}',
  },
  reply_no_windows: {
    recipient: 'customer',
    vars: ['companyPhone'],
    en: 'Sorry {{firstName}}, {{companyName}} has no open times to offer by text right now. Our dispatcher will call you{{#if companyPhone}}, or call us at {{companyPhone}}{{/if}}.',
    es: 'Lo sentimos {{firstName}}, {{companyName}} no tiene horarios libres para ofrecer por mensaje ahora. Nuestro despachador lo llamará{{#if companyPhone}}, o llámenos al {{companyPhone}}{{/if}}.',
  },
  reply_cancel_confirm: {
    recipient: 'customer',
    en: 'Reply YES to cancel your {{jobTypeName}} visit with {{companyName}}{{#if window}} on {{window}}{{/if}}, or NO to keep it.',
    es: 'Responda YES para cancelar su visita de {{jobTypeName}} con {{companyName}}{{#if window}} del {{window}}{{/if}}, o NO para mantenerla.',
  },
  reply_kept: {
    recipient: 'customer',
    en: 'OK {{firstName}}, your {{jobTypeName}} visit{{#if window}} on {{window}}{{/if}} stays as booked.',
    es: 'De acuerdo {{firstName}}, su visita de {{jobTypeName}}{{#if window}} del {{window}}{{/if}} queda como estaba.',
  },
  reply_payment_link: {
    recipient: 'customer',
    vars: ['amount', 'paymentUrl'],
    en: 'Hi {{firstName}}, pay your {{companyName}} invoice for {{jobTypeName}}{{#if amount}} ({{amount}}){{/if}} here: {{#if paymentUrl}}{{paymentUrl}}{{/if}}',
    es: 'Hola {{firstName}}, pague su factura de {{companyName}} por {{jobTypeName}}{{#if amount}} ({{amount}}){{/if}} aquí: {{#if paymentUrl}}{{paymentUrl}}{{/if}}',
  },
  /** PAY while the payment provider cannot make a link (down, refused, not set up): a person sends it. */
  reply_payment_unavailable: {
    recipient: 'customer',
    vars: ['companyPhone'],
    en: 'Sorry {{firstName}}, {{companyName}} cannot make your payment link right now. Our dispatcher will send it to you shortly{{#if companyPhone}}, or call us at {{companyPhone}}{{/if}}.',
    es: 'Lo sentimos {{firstName}}, {{companyName}} no puede generar su enlace de pago en este momento. Nuestro despachador se lo enviará en breve{{#if companyPhone}}, o llámenos al {{companyPhone}}{{/if}}.',
  },
  reply_nothing_to_pay: {
    recipient: 'customer',
    vars: ['companyPhone'],
    en: 'Hi {{firstName}}, {{companyName}} has no open invoice for you right now.{{#if companyPhone}} Questions? Call {{companyPhone}}.{{/if}}',
    es: 'Hola {{firstName}}, {{companyName}} no tiene facturas pendientes suyas ahora.{{#if companyPhone}} ¿Preguntas? Llame al {{companyPhone}}.{{/if}}',
  },
  reply_help: {
    recipient: 'customer',
    vars: ['companyPhone'],
    en: '{{companyName}}: appointment texts.{{#if companyPhone}} Call {{companyPhone}} for help.{{/if}} Reply C to confirm, R to reschedule, CX to cancel, ESPAÑOL for Spanish. Msg&data rates may apply. Reply STOP to opt out.',
    es: '{{companyName}}: mensajes de citas.{{#if companyPhone}} Llame al {{companyPhone}} para ayuda.{{/if}} Responda C para confirmar, R para cambiar la cita, CX para cancelar, ENGLISH para inglés. Pueden aplicarse tarifas. Responda STOP para no recibir más mensajes.',
  },
  reply_language: {
    recipient: 'customer',
    en: 'OK {{firstName}}, texts from {{companyName}} will be in English from now on.',
    es: 'Listo {{firstName}}, los mensajes de {{companyName}} serán en español desde ahora.',
  },
  reply_received: {
    recipient: 'customer',
    en: 'Thanks {{firstName}}, {{companyName}} got your message; our dispatcher will get back to you shortly.',
    es: 'Gracias {{firstName}}, {{companyName}} recibió su mensaje; nuestro despachador le responderá en breve.',
  },
  reply_no_booking: {
    recipient: 'customer',
    vars: ['companyPhone'],
    en: '{{companyName}} could not find an upcoming visit for this number.{{#if companyPhone}} Call us at {{companyPhone}}.{{/if}}',
    es: '{{companyName}} no encontró una visita próxima para este número.{{#if companyPhone}} Llámenos al {{companyPhone}}.{{/if}}',
  },
  /** To dispatch: a customer texted something the system does not act on (the console inbox has it). */
  customer_reply_alert: {
    recipient: 'dispatch',
    vars: ['replyText', 'customerPhone', 'noBooking'],
    en: 'Customer reply from {{customerName}}{{#if customerPhone}} ({{customerPhone}}){{/if}} {{#if noBooking}}(no booking for this number){{else}}about {{jobTypeName}}{{#if window}}, {{window}}{{/if}}{{/if}}: "{{#if replyText}}{{replyText}}{{/if}}". Answer from the inbox in the console.',
    es: 'Respuesta de {{customerName}}{{#if customerPhone}} ({{customerPhone}}){{/if}} {{#if noBooking}}(ninguna reserva para este número){{else}}sobre {{jobTypeName}}{{#if window}}, {{window}}{{/if}}{{/if}}: "{{#if replyText}}{{replyText}}{{/if}}". Responda desde la bandeja de la consola.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type NotificationKind = keyof typeof NOTIFICATION_CATALOGUE;
/** Every kind, in catalogue order (zod enums and the OpenAPI document read this list). */
export const NOTIFICATION_KINDS = Object.keys(NOTIFICATION_CATALOGUE) as [NotificationKind, ...NotificationKind[]];

const entryOf = (kind: NotificationKind): CatalogueEntry => NOTIFICATION_CATALOGUE[kind];

export function isNotificationKind(kind: string): kind is NotificationKind {
  return Object.hasOwn(NOTIFICATION_CATALOGUE, kind);
}

export function recipientOf(kind: NotificationKind): Recipient {
  return entryOf(kind).recipient;
}

export function isStaffMessage(kind: NotificationKind): boolean {
  return recipientOf(kind) !== 'customer';
}

/** Channel rules: staff get SMS at once; customers their own channel (SMS or email), after opt-outs and quiet hours. */
export function channelRuleOf(kind: NotificationKind): 'staff_sms' | 'customer_channel' {
  return isStaffMessage(kind) ? 'staff_sms' : 'customer_channel';
}

/** Whether the message carries the job's full context (trail messages to the people doing the job). */
export function carriesJobDetails(kind: NotificationKind): boolean {
  return entryOf(kind).jobDetails === true;
}

/** Whether the message may name the booking's technician (every kind may: one of COMMON_VARIABLES). */
export function namesTechnician(_kind: NotificationKind): boolean {
  return true;
}

/** The variables a kind may use, common ones first. */
export function variablesOf(kind: NotificationKind): VariableName[] {
  return [...new Set<VariableName>([...COMMON_VARIABLES, ...(entryOf(kind).vars ?? [])])];
}

/** The catalogue as data (the preview endpoint and the console's Messages page). */
export function describeCatalogue() {
  return NOTIFICATION_KINDS.map((kind) => {
    const entry = entryOf(kind);
    return {
      kind,
      recipient: entry.recipient,
      channel: channelRuleOf(kind),
      variables: variablesOf(kind).map((name) => ({ name, description: VARIABLE_DESCRIPTIONS[name] })),
      wording: { en: { text: entry.en, subject: entry.subject?.en }, es: { text: entry.es, subject: entry.subject?.es } },
    };
  });
}

/**
 * A tenant template key: `<kind>` (any language), `<kind>.es` / `<kind>.en` (one language), and
 * `<kind>.subject` / `<kind>.subject.es` (email subject). Undefined when the key names no kind.
 */
export function parseTemplateKey(key: string): { kind: NotificationKind; part: 'text' | 'subject'; language?: MessageLanguage } | undefined {
  const match = /^([a-z0-9_]+)(\.subject)?(?:\.(en|es))?$/.exec(key);
  if (!match || !isNotificationKind(match[1]!)) return undefined;
  return { kind: match[1] as NotificationKind, part: match[2] ? 'subject' : 'text', language: match[3] as MessageLanguage | undefined };
}

/**
 * What is wrong with a tenant's template (checked when saved): an unknown kind, a template that is
 * not Handlebars, or a variable the kind does not have. Undefined when it is fine.
 */
export async function templateProblem(key: string, template: string): Promise<string | undefined> {
  const parsed = parseTemplateKey(key);
  if (!parsed) return `unknown message kind "${key}" (kinds: see GET /v1/messages/catalogue; keys are <kind>, <kind>.es, <kind>.subject, <kind>.subject.es)`;
  let used: string[];
  try {
    used = await templateVariables(template);
  } catch (error) {
    return `the ${parsed.kind} template is not valid Handlebars: ${(error as Error).message.split('\n')[0]}`;
  }
  const allowed = new Set<string>(variablesOf(parsed.kind));
  const unknown = used.filter((name) => !allowed.has(name));
  if (unknown.length) return `unknown variable {{${unknown[0]}}} in the ${parsed.kind} template (it may use: ${[...allowed].join(', ')})`;
  return undefined;
}

function pick(templates: Partial<Record<string, string>>, kind: NotificationKind, part: '' | '.subject', language: MessageLanguage) {
  return templates[`${kind}${part}.${language}`] ?? templates[`${kind}${part}`];
}

/** The default wording of a kind, in a language (English when absent). */
export function renderMessage(kind: NotificationKind, vars: MessageVariables, language: MessageLanguage = 'en'): Promise<string> {
  return renderTemplate(entryOf(kind)[language], vars);
}

/**
 * The text of a message as it goes out: the tenant's template for the kind and language (strict
 * Handlebars: a variable without a value throws TemplateVariableError) or the catalogue's wording.
 * The send worker, the preview and anything that shows a message before it is sent use this.
 */
export function composeMessage(
  kind: NotificationKind,
  templates: Partial<Record<string, string>>,
  vars: MessageVariables,
  language: MessageLanguage = 'en',
): Promise<string> {
  const template = pick(templates, kind, '', language);
  return template ? renderTemplate(template, vars) : renderMessage(kind, vars, language);
}

/** The email subject a person would write: the tenant's, the catalogue's, or "<company>: <kind>" for staff kinds. */
export async function composeSubject(
  kind: NotificationKind,
  templates: Partial<Record<string, string>>,
  vars: MessageVariables,
  language: MessageLanguage = 'en',
): Promise<string> {
  const template = pick(templates, kind, '.subject', language) ?? entryOf(kind).subject?.[language];
  if (!template) return `${vars.companyName}: ${vars.jobTypeName ?? ''}`.trim();
  return `${vars.companyName}: ${await renderTemplate(template, vars)}`;
}
