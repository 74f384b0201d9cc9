/**
 * Every Lambda function of JobRelay, in one table. The CDK stack builds one NodejsFunction per entry
 * with exactly the listed grants; the local runtime loads the same handler files; the ASL files name
 * node functions by `${<name>FunctionArn}`. Add a function here and both worlds get it.
 */
import { ANY_KEY, type RouteAccess, type Scope } from './shared/scopes';

export type Grant =
  | 'table:read'
  | 'table:readWrite'
  /**
   * Send to the notify queue: every function that writes ledger rows rings what is due at once
   * (functions/notify/queue-now.ts); test/infra/notify-due-now-grants.test.ts lists who needs it from the bundles.
   */
  | 'notifyQueue:send'
  | 'bookingWorkflow:startSync'
  /** Read tenant secrets (`jobrelay/<tenant>/<purpose>`: CRM, SMS, job-event keys); names derive in functions/shared/secrets.ts. */
  | 'crmSecrets:read'
  /** Create and set tenant secrets under `jobrelay/<tenant>/<purpose>`: the credentials route only. */
  | 'tenantSecrets:write'
  /** Send to the crm-sync queue (the CRM outbox); its URL in the environment. */
  | 'crmSyncQueue:send'
  /** Send to the status-events queue (job events from the field); its URL in the environment. */
  | 'statusEventsQueue:send'
  /** Send to the crm-read-sync queue (one message per page of a CRM read sync); its URL in the environment. */
  | 'crmReadSyncQueue:send'
  /** SES SendEmail (the tenant's email provider). */
  | 'email:send'
  /** StartExecution on the job trail (its ARN in the environment): confirm/accept start the post-booking trail. */
  | 'jobTrail:start'
  /** Read every work queue's and DLQ's depth (GetQueueAttributes); their URLs in the environment. */
  | 'queues:read'
  /** queues:read + send to the work queues + move DLQ messages back (StartMessageMoveTask). */
  | 'queues:redrive';

export type LambdaKind = 'route' | 'node' | 'worker' | 'schedule';

export interface LambdaSpec {
  /** PascalCase; the ASL substitution key is `${name}FunctionArn`. */
  name: string;
  kind: LambdaKind;
  /** Path from the repository root to the handler module (exports `handler`). */
  entry: string;
  /**
   * What it does. A route function's routes are not repeated here: they come from the route table
   * (`lambdaDescription` puts them in front for the deployed function's Description).
   */
  description: string;
  grants: Grant[];
  timeoutSeconds?: number;
  memoryMb?: number;
  /** Files or folders (paths from the repository root, kept as-is) shipped next to the bundle. */
  assets?: string[];
  /**
   * Admission control for an expensive route (functions/shared/admission.ts): requests in flight at
   * once per tenant and in total, counted in DynamoDB leases shared by every instance (locally and
   * in AWS alike); beyond, 429 / 503 with Retry-After before anything is written. Deliberately no
   * reserved concurrency for such a route: a Lambda throttled at its cap is a bare 500 behind API
   * Gateway, while this gate refuses with Retry-After; the route's `throttle` bounds the rate of
   * requests that reach the function at all.
   */
  admission?: { perTenant: number; total: number; retryAfterSeconds: number };
}

export interface RouteSpec {
  /**
   * The route's one name: its OpenAPI operationId. OpenAPI registrations (`registerRoute`) and
   * handlers that serve several routes (`routeKey(name)`) take method and path from here.
   */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `/v1/bookings/{id}`. */
  path: string;
  lambda: string;
  /**
   * Who may call it: any one of these scopes, or `public` (signed webhooks, documents, console files).
   * Required, so a new route is denied until someone decides; `apiRoute` enforces it before the handler
   * runs, and the OpenAPI `security`, the README scope table and the console read it from here.
   */
  scopes: RouteAccess;
  /**
   * API Gateway throttling of this route (stage route settings, lib/api.ts) instead of the stage
   * default: requests per second and the bucket's burst. Beyond it API Gateway itself answers 429.
   */
  throttle?: { rateLimit: number; burstLimit: number };
}

/** The work queues, by logical name: every list of queue names (review redrive, ops routes) is this one. */
export const QUEUE_NAMES = ['crm-sync', 'notify', 'status-events', 'crm-read-sync'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface QueueSpec {
  /** Logical name; the env var `<NAME>_QUEUE_URL` carries its URL. */
  name: QueueName;
  /**
   * Visibility timeout: at least 6x the consumer's timeout (AWS's advice for Lambda event sources:
   * room for the mapping's own retries of a throttled or failed batch; lib/queues.ts refuses less).
   */
  visibilityTimeoutSeconds: number;
  consumer?: string;
  /** Messages per invocation; batch x the slowest message's budget stays inside the consumer's timeout. */
  batchSize: number;
  /**
   * Most concurrent invocations the event source mapping makes (`ScalingConfig.MaximumConcurrency`,
   * 2-1000). The poller stops there instead of invoking into throttles (a throttled receive counts
   * toward maxReceiveCount and would reach the DLQ without its review item). Idle cost: a mapping
   * with it keeps 5 pollers on an empty queue, without it as few as 2 (issue 19 item 4: ~$0.16 a
   * month per queue); only notify sets it (each queue's `bounds` says why).
   */
  maximumConcurrency?: number;
  /**
   * Reserved concurrency of the consumer: a ceiling and a floor. The ceiling keeps a burst from taking
   * the account's concurrency from the booking path and bounds the calls to a downstream; never below
   * maximumConcurrency (the mapping would invoke into throttles).
   */
  reservedConcurrency?: number;
  /**
   * Oldest message age (seconds) above which ops is alarmed: the work is late, not just queued. Only
   * where late work hurts customers at once (notify: a reminder after its time); elsewhere the ledger
   * in DynamoDB and its sweep find late work again, and a failing consumer fills the alarmed DLQ.
   */
  maxAgeAlarmSeconds?: number;
  /** Why these bounds (kept with the numbers). */
  bounds: string;
}

export const lambdas: LambdaSpec[] = [
  // HTTP routes
  {
    name: 'CreateBooking',
    kind: 'route',
    entry: 'functions/booking/create-booking.handler.ts',
    description: 'validate, dedupe, run the booking workflow synchronously',
    // crmSyncQueue:send: an unbooked caller becomes a lead, written to the CRM through the outbox (functions/leads/).
    grants: ['table:readWrite', 'bookingWorkflow:startSync', 'crmSyncQueue:send'],
    timeoutSeconds: 29,
    // Issue 12: 20 bookings in flight on the local system finished inside the 29 s budget, 200 did
    // not (bare 500s, half-made bookings). 30 per tenant is the largest burst one caller legitimately
    // sends (a call centre's agents at the opening hour; the integration tests' biggest burst); the
    // total leaves the same again for the other tenants. Retry-After ~ one booking under load.
    admission: { perTenant: 30, total: 60, retryAfterSeconds: 2 },
  },
  {
    name: 'BookingReads',
    kind: 'route',
    entry: 'functions/booking/booking-reads.handler.ts',
    description: "one booking and its timeline, a tenant's bookings, a booking's activity (node outcomes, messages, CRM writes, review items)",
    grants: ['table:read'],
  },
  {
    name: 'ReviewItems',
    kind: 'route',
    entry: 'functions/review/review-items.handler.ts',
    description: 'the human review queue: list it, read one item with its payload and reason, resolve it with a note and who did it',
    grants: ['table:readWrite'],
  },
  {
    name: 'ApiDocuments',
    kind: 'route',
    entry: 'functions/api/documents.handler.ts',
    description: 'the OpenAPI document and the tool definitions, generated from the zod schemas',
    grants: [],
  },
  // The people's side (issue 7): review queue, operations, reports, administration, console
  {
    name: 'RedriveReviewItem',
    kind: 'route',
    entry: 'functions/review/redrive-review-item.handler.ts',
    description: 're-send the stored message or move the DLQ back',
    grants: ['table:readWrite', 'queues:redrive'],
  },
  {
    name: 'ListQueues',
    kind: 'route',
    entry: 'functions/ops/list-queues.handler.ts',
    description: 'depth of every work queue and its dead-letter queue',
    grants: ['table:read', 'queues:read'],
  },
  {
    name: 'RedriveQueue',
    kind: 'route',
    entry: 'functions/ops/redrive-queue.handler.ts',
    description: 'move the DLQ back to its queue (StartMessageMoveTask)',
    // table:read: every authenticated route reads its caller's API key from the table.
    grants: ['table:read', 'queues:redrive'],
  },
  {
    name: 'Leads',
    kind: 'route',
    entry: 'functions/leads/leads.handler.ts',
    description: 'callers who could not be booked, and their waitlist',
    grants: ['table:readWrite', 'notifyQueue:send'],
  },
  {
    name: 'AttributionReport',
    kind: 'route',
    entry: 'functions/reports/attribution.handler.ts',
    description: 'bookings to paid revenue by source, campaign or channel',
    grants: ['table:read'],
    timeoutSeconds: 29,
  },
  {
    name: 'CreateTenant',
    kind: 'route',
    entry: 'functions/admin/create-tenant.handler.ts',
    description: 'a new tenant and its first admin key',
    grants: ['table:readWrite'],
  },
  {
    name: 'WhoAmI',
    kind: 'route',
    entry: 'functions/admin/whoami.handler.ts',
    description: 'the tenant and scopes of the calling key',
    grants: ['table:read'],
  },
  {
    name: 'ApiKeys',
    kind: 'route',
    entry: 'functions/admin/api-keys.handler.ts',
    description: "the tenant's API keys (never their secrets); a new key shown once and stored hashed; rotate (the old secret revoked); revoke at once",
    grants: ['table:readWrite'],
  },
  {
    name: 'ConsoleAssets',
    kind: 'route',
    entry: 'functions/console/console-assets.handler.ts',
    description: 'the operator console (static page; it signs in with an API key)',
    grants: [],
    assets: ['console'],
  },
  // Capacity (issue 4): availability, holds, configuration, schedule sync, dispatcher confirm
  {
    name: 'Availability',
    kind: 'route',
    entry: 'functions/capacity/availability.handler.ts',
    description: 'windows a qualified technician covering the address can really serve',
    grants: ['table:read'],
  },
  {
    name: 'Holds',
    kind: 'route',
    entry: 'functions/capacity/holds.handler.ts',
    description: 'soft holds that expire by themselves',
    grants: ['table:readWrite'],
  },
  {
    name: 'TenantConfig',
    kind: 'route',
    entry: 'functions/tenant/config.handler.ts',
    description: 'the owner configures capacity: company, technicians, job types',
    grants: ['table:readWrite'],
  },
  {
    name: 'TenantCredentials',
    kind: 'route',
    entry: 'functions/tenant/credentials.handler.ts',
    description: "set the tenant's CRM (also the CRM setup's credentials step), SMS, payments and job-event secrets (write-only) and list which are set",
    grants: ['table:readWrite', 'tenantSecrets:write'],
  },
  {
    name: 'ScheduleSync',
    kind: 'route',
    entry: 'functions/capacity/schedule-sync.handler.ts',
    description: "the FSM's existing jobs consume capacity; marks the schedule fresh",
    grants: ['table:readWrite'],
    timeoutSeconds: 29,
  },
  {
    name: 'ChangeBooking',
    kind: 'route',
    entry: 'functions/booking/change-booking.handler.ts',
    description: 'move or cancel a booked job through the same claims',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'notifyQueue:send'],
    timeoutSeconds: 29,
  },
  {
    name: 'Outbox',
    kind: 'route',
    entry: 'functions/notify/outbox.handler.ts',
    description: 'what the local outbox provider sent; the message catalogue and previews of its wording',
    grants: ['table:read'],
  },
  {
    name: 'InboundSms',
    kind: 'route',
    entry: 'functions/notify/inbound-sms.handler.ts',
    description:
      "signed replies from Twilio (confirm, reschedule, cancel, pay, STOP/START/HELP, anything else to dispatch's inbox) and an on-call technician's page link (show, accept, decline)",
    // crmSyncQueue:send: a technician accepting an emergency page (by reply or link) writes the CRM (outbox when it is down);
    // jobTrail:start: and starts the job's trail (functions/emergency/accept.ts).
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'jobTrail:start', 'notifyQueue:send'],
  },
  {
    name: 'ConfirmBooking',
    kind: 'route',
    entry: 'functions/booking/confirm-booking.handler.ts',
    description: 'dispatch confirms a pending_confirmation booking',
    grants: ['table:readWrite', 'jobTrail:start', 'notifyQueue:send'],
  },
  // Customers, CRM mapping and bookings awaiting a dispatcher (issue 5)
  {
    name: 'LookupCustomer',
    kind: 'route',
    entry: 'functions/customers/lookup-customer.handler.ts',
    description: 'recognise a caller by phone, email or service address',
    grants: ['table:read'],
  },
  {
    name: 'Triage',
    kind: 'route',
    entry: 'functions/triage/triage.handler.ts',
    description: 'intent, trade, urgency, job type and route of what a caller said (tenant rules)',
    grants: ['table:read'],
  },
  {
    name: 'PutCrmMapping',
    kind: 'route',
    entry: 'functions/crm/put-crm-mapping.handler.ts',
    description: "the tenant's overrides of the CRM mapping table",
    grants: ['table:readWrite'],
  },
  {
    name: 'CrmSetup',
    kind: 'route',
    entry: 'functions/crm/setup.handler.ts',
    description: "connect the CRM: adapter and settings, a test call, the lists mappings are picked from; start and follow a read sync of the CRM's customers",
    grants: ['table:readWrite', 'crmSecrets:read', 'crmReadSyncQueue:send'],
    timeoutSeconds: 20,
  },
  {
    name: 'DecideBooking',
    kind: 'route',
    entry: 'functions/booking/decide-booking.handler.ts',
    description: 'a dispatcher decides a pending_approval booking',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'jobTrail:start', 'notifyQueue:send'],
    timeoutSeconds: 15,
  },
  // Job lifecycle from the field and renewals (issue 6, part)
  {
    name: 'PostJobEvent',
    kind: 'route',
    entry: 'functions/lifecycle/post-job-event.handler.ts',
    description: 'validate a job event and queue it on status-events',
    grants: ['table:read', 'statusEventsQueue:send'],
  },
  {
    name: 'FieldJobEventsWebhook',
    kind: 'route',
    entry: 'functions/webhooks/job-events.handler.ts',
    description: "an FSM's signed job events, queued on status-events",
    grants: ['table:read', 'crmSecrets:read', 'statusEventsQueue:send'],
  },
  {
    name: 'StatusEventsWorker',
    kind: 'worker',
    entry: 'functions/lifecycle/status-events.handler.ts',
    description: 'Apply job events through the transition table (version-checked); CRM fields, messages, customer facts; review item before the DLQ',
    grants: ['table:readWrite', 'crmSecrets:read', 'notifyQueue:send'],
    timeoutSeconds: 30,
  },
  {
    name: 'Memberships',
    kind: 'route',
    entry: 'functions/renewals/memberships.handler.ts',
    description: "a customer's service agreements",
    grants: ['table:readWrite'],
  },
  {
    name: 'RenewalsScan',
    kind: 'schedule',
    entry: 'functions/renewals/scan.handler.ts',
    description: 'Hourly; each tenant at 09:00 its time: membership renewal notices at 60/30/7/0 days, payment retry on a cadence, win-back for lapsed members',
    // The tenant's `payments` secret (Stripe secret key) for renewal charges.
    grants: ['table:readWrite', 'crmSecrets:read', 'notifyQueue:send'],
    timeoutSeconds: 300,
  },
  // Job trail nodes (state-machines/job-trail.asl.json, Express, one execution per confirmed booking)
  {
    name: 'AssignTechnician',
    kind: 'node',
    entry: 'functions/trail/assign-technician.handler.ts',
    description: 'Confirm the technician (territory, skill, schedule, workload) or move the job to one who qualifies',
    // A move tells the CRM (its secret) or, when the CRM is down, the crm-sync outbox (issue 13).
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'notifyQueue:send'],
  },
  {
    name: 'NotifyTeam',
    kind: 'node',
    entry: 'functions/trail/notify-team.handler.ts',
    description:
      'Send the technician the job with full context (history, equipment, access notes, summary, transcript) and tell the dispatcher (and the on-call manager for emergencies); each message its own exception path',
    // Its messages are due now: queued at once (notify/queue-now.ts), the sweeper the safety net.
    grants: ['table:readWrite', 'notifyQueue:send'],
  },
  {
    name: 'PrepChecklist',
    kind: 'node',
    entry: 'functions/trail/prep-checklist.handler.ts',
    description: "Create the job type's internal prep checklist on the job",
    grants: ['table:readWrite'],
  },
  {
    name: 'MaterialsCheck',
    kind: 'node',
    entry: 'functions/trail/materials-check.handler.ts',
    description: 'For job types that need parts: list what to pick and flag what needs ordering',
    grants: ['table:readWrite'],
  },
  {
    name: 'CloseTrail',
    kind: 'node',
    entry: 'functions/trail/close-trail.handler.ts',
    description: 'Record the trail on the job; each failed step becomes a review item with its reason',
    grants: ['table:readWrite'],
  },
  {
    name: 'TrailExecutionFailed',
    kind: 'node',
    entry: 'functions/trail/trail-failed.handler.ts',
    description: "The trail's failure path (its ReportTrailFailure state): a trail that could not close becomes a review item",
    grants: ['table:readWrite'],
  },
  // Booking workflow nodes (state-machines/booking.asl.json)
  {
    name: 'BookingNodes',
    kind: 'node',
    entry: 'functions/booking/booking-nodes.handler.ts',
    description:
      "The booking workflow's table-only nodes in one function, one cold start for four Tasks: RecogniseCustomer (find or create the caller), CheckCapacity (a window dispatch can honour), SoftHold (claim it), CommitSlot (HELD -> BOOKED)",
    grants: ['table:readWrite'],
  },
  {
    name: 'WriteCrm',
    kind: 'node',
    entry: 'functions/crm/write-crm.handler.ts',
    description: 'Write customer and job to the CRM through the mapping table',
    // crmSyncQueue:send: the booking's caller's open leads are closed in the CRM through the outbox (leads/settle.ts).
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send'],
    // = its Task's TimeoutSeconds in booking.asl.json: the CRM calls get this less a reserve, and the
    // workflow's worst case stays inside the API's 29 s (test/infra/asl.test.ts).
    timeoutSeconds: 6,
  },
  {
    name: 'ScheduleNotifications',
    kind: 'node',
    entry: 'functions/notify/schedule-notifications.handler.ts',
    description: 'Write the confirmation and reminders into the notification ledger; queue what is due now (the sweeper is the safety net)',
    grants: ['table:readWrite', 'notifyQueue:send'],
  },
  {
    name: 'DispatchEmergency',
    kind: 'node',
    entry: 'functions/emergency/dispatch-emergency.handler.ts',
    description:
      'Emergency with no honourable window soon: status dispatching, the customer told honestly with safety advice, the nearest on-call technician of the trade paged',
    grants: ['table:readWrite', 'notifyQueue:send'],
  },
  {
    name: 'RecordReviewItem',
    kind: 'node',
    entry: 'functions/review/record-review-item.handler.ts',
    description: 'Catch path of every node: keep the booking, queue a CRM outage for crm-sync, or open a review item',
    grants: ['table:readWrite', 'crmSyncQueue:send'],
  },
  // Schedules and workers
  {
    name: 'RecoverySweep',
    kind: 'schedule',
    entry: 'functions/booking/recovery-sweep.handler.ts',
    description:
      'Every 5 minutes (and at local start): re-drive or hand to a person bookings left non-final, release uncommitted holds, ring lost CRM outbox doorbells, finish half-applied day plans, make leads of unbooked callers, free the minutes of expired holds',
    grants: ['table:readWrite', 'bookingWorkflow:startSync', 'crmSyncQueue:send', 'crmSecrets:read', 'notifyQueue:send'],
    timeoutSeconds: 300,
  },
  {
    name: 'MinuteSweeps',
    kind: 'schedule',
    entry: 'functions/ops/minute-sweeps.handler.ts',
    description:
      'Every minute: queue the notifications that are due; emergency pages that timed out page the next on-call technician, unanswered emergencies escalate to the on-call manager',
    grants: ['table:readWrite', 'notifyQueue:send'],
    timeoutSeconds: 50,
  },
  {
    name: 'NotifyWorker',
    kind: 'worker',
    entry: 'functions/notify/send.handler.ts',
    description: 'Send queued notifications: opt-outs, quiet hours, templates; outbox, Twilio or SES',
    grants: ['table:readWrite', 'crmSecrets:read', 'email:send'],
    timeoutSeconds: 20,
  },
  {
    name: 'CrmSyncWorker',
    kind: 'worker',
    entry: 'functions/crm/sync.handler.ts',
    description:
      "The CRM outbox: write kept bookings once the CRM is back, on the tenant's backoff schedule (outbox rows in the table, the queue rings); review item when it is spent",
    // crmSyncQueue:send: a failed attempt rings its own next doorbell (delayed up to 15 min).
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send'],
    timeoutSeconds: 30,
  },
  // CRM read sync (issue 17 item 2): the CRM's customers into the recognition store (functions/crm/read-sync.ts)
  {
    name: 'CrmReadSyncWorker',
    kind: 'worker',
    entry: 'functions/crm/read-sync-worker.handler.ts',
    description:
      "One page of a CRM read sync: read it at the checkpointed cursor, store its customers by CRM id, checkpoint, ring the next page; a throttled CRM's page is rung again after its Retry-After",
    grants: ['table:readWrite', 'crmSecrets:read', 'crmReadSyncQueue:send'],
    timeoutSeconds: 60,
  },
  {
    name: 'CrmReadSyncPoll',
    kind: 'schedule',
    entry: 'functions/crm/read-sync-poll.handler.ts',
    description: 'Every 15 minutes: incremental CRM read sync (modified since the last run) for each tenant with a connected CRM; rings a stalled run again',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmReadSyncQueue:send'],
    timeoutSeconds: 60,
  },
  // Agents plug in (issue 20): MCP, Vapi and Retell front doors to one tool table (functions/agent/tools.ts)
  {
    name: 'AgentTools',
    kind: 'route',
    entry: 'functions/agent/agent.handler.ts',
    description: "the agent's tools over MCP (stateless Streamable HTTP), Vapi and Retell, each run through its own route's handler",
    // The union of the tools' routes' grants (CreateBooking, Holds, ChangeBooking, ...: each tool runs
    // its route's handler in this function); crmSecrets:read also reads the tenant's Vapi/Retell secret.
    grants: ['table:readWrite', 'bookingWorkflow:startSync', 'crmSecrets:read', 'crmSyncQueue:send', 'notifyQueue:send'],
    timeoutSeconds: 29,
  },
  {
    name: 'DispatchBoard',
    kind: 'route',
    entry: 'functions/dispatch/board.handler.ts',
    description: "each technician's day (booked jobs by window)",
    grants: ['table:read'],
  },
  {
    name: 'DispatchPlan',
    kind: 'route',
    entry: 'functions/dispatch/plan.handler.ts',
    description: "HiGHS MIP day plan vs the day's real assignment (a proposal, not applied)",
    grants: ['table:read'],
    timeoutSeconds: 29,
    memoryMb: 1024,
    // The HiGHS solver is WebAssembly: its .wasm ships next to the bundle (functions/dispatch/solver.ts).
    assets: ['node_modules/highs/build/highs.wasm'],
  },
  {
    name: 'DispatchSuggestions',
    kind: 'route',
    entry: 'functions/dispatch/suggestions.handler.ts',
    description: 're-dispatch options for technicians running behind, accepted through rescheduleBooking or reassignTechnicians (swap)',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'notifyQueue:send'],
    timeoutSeconds: 29,
  },
  {
    name: 'DispatchReassign',
    kind: 'route',
    entry: 'functions/dispatch/reassign.handler.ts',
    description: "apply technician changes (a day plan's, a swap, a chain) whole or not at all; a plan once, on its own board",
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'notifyQueue:send'],
    timeoutSeconds: 29,
  },
];

// Route access, by what a caller does (platform keys pass every check: functions/shared/scopes.ts).
/** Book and change jobs (bots, CSRs): bookings; the tenant's admin may too. */
const BOOK: readonly Scope[] = ['bookings', 'admin'];
/** Read bookings, customers, availability and the board: bots, the review desk, the admin. */
const READ_BOOKINGS: readonly Scope[] = ['bookings', 'review', 'admin'];
/** A dispatcher decides bookings that wait for a person (confirm, accept, dismiss). */
const DISPATCH: readonly Scope[] = ['bookings', 'review', 'admin'];
const REVIEW: readonly Scope[] = ['review', 'admin'];
const REPORTS: readonly Scope[] = ['reports', 'review', 'admin'];
const ADMIN: readonly Scope[] = ['admin'];
/** The shared queues hold every tenant's messages: not a tenant admin's. */
const OPS: readonly Scope[] = ['ops'];
const PLATFORM: readonly Scope[] = ['platform'];

const routeTable = [
  // CreateBooking's admission gate sheds a storm with Retry-After (its 429s and 503s take
  // milliseconds of Lambda time); API Gateway's own 429 carries no Retry-After (HTTP APIs cannot
  // change gateway responses), so this throttle sits above the gate: a 200-request burst reaches the
  // gate, only a flood beyond it is cut by API Gateway before it costs invocations.
  { name: 'createBooking', method: 'POST', path: '/v1/bookings', lambda: 'CreateBooking', scopes: BOOK, throttle: { rateLimit: 50, burstLimit: 200 } },
  { name: 'getBooking', method: 'GET', path: '/v1/bookings/{id}', lambda: 'BookingReads', scopes: READ_BOOKINGS },
  { name: 'listReviewItems', method: 'GET', path: '/v1/review-items', lambda: 'ReviewItems', scopes: REVIEW },
  { name: 'listBookings', method: 'GET', path: '/v1/bookings', lambda: 'BookingReads', scopes: READ_BOOKINGS },
  { name: 'getBookingActivity', method: 'GET', path: '/v1/bookings/{id}/activity', lambda: 'BookingReads', scopes: READ_BOOKINGS },
  { name: 'getReviewItem', method: 'GET', path: '/v1/review-items/{id}', lambda: 'ReviewItems', scopes: REVIEW },
  { name: 'resolveReviewItem', method: 'POST', path: '/v1/review-items/{id}/resolve', lambda: 'ReviewItems', scopes: REVIEW },
  { name: 'redriveReviewItem', method: 'POST', path: '/v1/review-items/{id}/redrive', lambda: 'RedriveReviewItem', scopes: REVIEW },
  { name: 'listQueues', method: 'GET', path: '/v1/ops/queues', lambda: 'ListQueues', scopes: OPS },
  { name: 'redriveQueue', method: 'POST', path: '/v1/ops/queues/{queue}/redrive', lambda: 'RedriveQueue', scopes: OPS },
  { name: 'attributionReport', method: 'GET', path: '/v1/reports/attribution', lambda: 'AttributionReport', scopes: REPORTS },
  { name: 'listLeads', method: 'GET', path: '/v1/leads', lambda: 'Leads', scopes: READ_BOOKINGS },
  { name: 'waitlistLead', method: 'POST', path: '/v1/leads/{id}/waitlist', lambda: 'Leads', scopes: DISPATCH },
  { name: 'createTenant', method: 'POST', path: '/v1/tenants', lambda: 'CreateTenant', scopes: PLATFORM },
  { name: 'whoAmI', method: 'GET', path: '/v1/me', lambda: 'WhoAmI', scopes: ANY_KEY },
  { name: 'listApiKeys', method: 'GET', path: '/v1/keys', lambda: 'ApiKeys', scopes: ADMIN },
  { name: 'createApiKey', method: 'POST', path: '/v1/keys', lambda: 'ApiKeys', scopes: ADMIN },
  { name: 'rotateApiKey', method: 'POST', path: '/v1/keys/{keyId}/rotate', lambda: 'ApiKeys', scopes: ADMIN },
  { name: 'revokeApiKey', method: 'POST', path: '/v1/keys/{keyId}/revoke', lambda: 'ApiKeys', scopes: ADMIN },
  { name: 'getConsole', method: 'GET', path: '/', lambda: 'ConsoleAssets', scopes: 'public' },
  { name: 'getConsoleFile', method: 'GET', path: '/console/{file}', lambda: 'ConsoleAssets', scopes: 'public' },
  { name: 'lookupCustomer', method: 'POST', path: '/v1/customers/lookup', lambda: 'LookupCustomer', scopes: READ_BOOKINGS },
  { name: 'triage', method: 'POST', path: '/v1/triage', lambda: 'Triage', scopes: BOOK },
  { name: 'putCrmMapping', method: 'PUT', path: '/v1/config/crm-mapping', lambda: 'PutCrmMapping', scopes: ADMIN },
  { name: 'getCrmConfig', method: 'GET', path: '/v1/config/crm', lambda: 'CrmSetup', scopes: ADMIN },
  { name: 'putCrmConfig', method: 'PUT', path: '/v1/config/crm', lambda: 'CrmSetup', scopes: ADMIN },
  { name: 'putCrmCredentials', method: 'PUT', path: '/v1/config/crm/credentials', lambda: 'TenantCredentials', scopes: ADMIN },
  { name: 'testCrmConnection', method: 'POST', path: '/v1/config/crm/test', lambda: 'CrmSetup', scopes: ADMIN },
  { name: 'listCrmOptions', method: 'GET', path: '/v1/config/crm/options', lambda: 'CrmSetup', scopes: ADMIN },
  { name: 'startCrmSync', method: 'POST', path: '/v1/crm/sync', lambda: 'CrmSetup', scopes: ADMIN },
  { name: 'getCrmSync', method: 'GET', path: '/v1/crm/sync', lambda: 'CrmSetup', scopes: ADMIN },
  // A CRM's customer-change webhook (HubSpot, Housecall Pro): signed with the tenant's key for that provider.
  { name: 'crmWebhook', method: 'POST', path: '/v1/webhooks/{provider}/crm', lambda: 'CrmSetup', scopes: 'public' },
  // Jobber's app webhooks, signed with the tenant's Jobber app client secret (functions/crm/jobber-webhook.ts).
  { name: 'jobberWebhook', method: 'POST', path: '/v1/webhooks/jobber', lambda: 'CrmSetup', scopes: 'public' },
  { name: 'acceptBooking', method: 'POST', path: '/v1/bookings/{id}/accept', lambda: 'DecideBooking', scopes: DISPATCH },
  { name: 'dismissBooking', method: 'POST', path: '/v1/bookings/{id}/dismiss', lambda: 'DecideBooking', scopes: DISPATCH },
  { name: 'getOpenApiDocument', method: 'GET', path: '/v1/openapi.json', lambda: 'ApiDocuments', scopes: 'public' },
  { name: 'getToolDefinitions', method: 'GET', path: '/v1/tools.json', lambda: 'ApiDocuments', scopes: 'public' },
  { name: 'getAvailability', method: 'GET', path: '/v1/availability', lambda: 'Availability', scopes: READ_BOOKINGS },
  { name: 'createHold', method: 'POST', path: '/v1/holds', lambda: 'Holds', scopes: BOOK },
  { name: 'getHold', method: 'GET', path: '/v1/holds/{id}', lambda: 'Holds', scopes: BOOK },
  { name: 'releaseHold', method: 'DELETE', path: '/v1/holds/{id}', lambda: 'Holds', scopes: BOOK },
  { name: 'getCompanySettings', method: 'GET', path: '/v1/config/company', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'putCompanySettings', method: 'PUT', path: '/v1/config/company', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'listTechnicians', method: 'GET', path: '/v1/config/technicians', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'putTechnician', method: 'PUT', path: '/v1/config/technicians/{id}', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'deleteTechnician', method: 'DELETE', path: '/v1/config/technicians/{id}', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'listJobTypes', method: 'GET', path: '/v1/config/job-types', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'putJobType', method: 'PUT', path: '/v1/config/job-types/{id}', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'deleteJobType', method: 'DELETE', path: '/v1/config/job-types/{id}', lambda: 'TenantConfig', scopes: ADMIN },
  { name: 'listCredentials', method: 'GET', path: '/v1/config/credentials', lambda: 'TenantCredentials', scopes: ADMIN },
  { name: 'putCredential', method: 'PUT', path: '/v1/config/credentials/{purpose}', lambda: 'TenantCredentials', scopes: ADMIN },
  { name: 'putJobEventsCredential', method: 'PUT', path: '/v1/config/credentials/job-events/{provider}', lambda: 'TenantCredentials', scopes: ADMIN },
  { name: 'syncSchedule', method: 'POST', path: '/v1/schedule/sync', lambda: 'ScheduleSync', scopes: ADMIN },
  { name: 'confirmBooking', method: 'POST', path: '/v1/bookings/{id}/confirm', lambda: 'ConfirmBooking', scopes: DISPATCH },
  { name: 'postJobEvent', method: 'POST', path: '/v1/jobs/{id}/events', lambda: 'PostJobEvent', scopes: BOOK },
  { name: 'fieldJobEventsWebhook', method: 'POST', path: '/v1/webhooks/{provider}/job-events', lambda: 'FieldJobEventsWebhook', scopes: 'public' },
  { name: 'listMemberships', method: 'GET', path: '/v1/customers/{customerId}/memberships', lambda: 'Memberships', scopes: BOOK },
  { name: 'putMembership', method: 'PUT', path: '/v1/customers/{customerId}/memberships/{membershipId}', lambda: 'Memberships', scopes: BOOK },
  { name: 'rescheduleBooking', method: 'POST', path: '/v1/bookings/{id}/reschedule', lambda: 'ChangeBooking', scopes: BOOK },
  { name: 'cancelBooking', method: 'POST', path: '/v1/bookings/{id}/cancel', lambda: 'ChangeBooking', scopes: BOOK },
  { name: 'listOutbox', method: 'GET', path: '/v1/outbox', lambda: 'Outbox', scopes: READ_BOOKINGS },
  { name: 'getMessageCatalogue', method: 'GET', path: '/v1/messages/catalogue', lambda: 'Outbox', scopes: ADMIN },
  { name: 'previewMessages', method: 'POST', path: '/v1/messages/preview', lambda: 'Outbox', scopes: ADMIN },
  { name: 'inboundSms', method: 'POST', path: '/v1/webhooks/sms/{tenantId}', lambda: 'InboundSms', scopes: 'public' },
  // The unguessable token in the path is the credential (functions/emergency/page-link.ts).
  { name: 'getPage', method: 'GET', path: '/v1/pages/{token}', lambda: 'InboundSms', scopes: 'public' },
  { name: 'answerPage', method: 'POST', path: '/v1/pages/{token}', lambda: 'InboundSms', scopes: 'public' },
  { name: 'getDispatchBoard', method: 'GET', path: '/v1/dispatch/board', lambda: 'DispatchBoard', scopes: READ_BOOKINGS },
  { name: 'planDispatchDay', method: 'POST', path: '/v1/dispatch/plan', lambda: 'DispatchPlan', scopes: BOOK },
  { name: 'listDispatchSuggestions', method: 'GET', path: '/v1/dispatch/suggestions', lambda: 'DispatchSuggestions', scopes: READ_BOOKINGS },
  { name: 'acceptDispatchSuggestion', method: 'POST', path: '/v1/dispatch/suggestions/{id}/accept', lambda: 'DispatchSuggestions', scopes: BOOK },
  { name: 'reassignTechnicians', method: 'POST', path: '/v1/dispatch/reassign', lambda: 'DispatchReassign', scopes: BOOK },
  // The agent's tools (issue 20): each tool call is checked again against its own route's scopes.
  { name: 'mcp', method: 'POST', path: '/v1/mcp', lambda: 'AgentTools', scopes: BOOK, throttle: { rateLimit: 50, burstLimit: 200 } },
  { name: 'mcpStream', method: 'GET', path: '/v1/mcp', lambda: 'AgentTools', scopes: BOOK },
  {
    name: 'vapiToolCalls',
    method: 'POST',
    path: '/v1/voice/vapi/tool-calls',
    lambda: 'AgentTools',
    scopes: BOOK,
    throttle: { rateLimit: 50, burstLimit: 200 },
  },
  {
    name: 'retellFunction',
    method: 'POST',
    path: '/v1/voice/retell/functions/{name}',
    lambda: 'AgentTools',
    scopes: BOOK,
    throttle: { rateLimit: 50, burstLimit: 200 },
  },
] as const satisfies readonly RouteSpec[];

export const routes: readonly RouteSpec[] = routeTable;

/** A route's name (its OpenAPI operationId), checked by the compiler against the table above. */
export type RouteName = (typeof routeTable)[number]['name'];

export const queues: QueueSpec[] = [
  {
    name: 'crm-sync',
    consumer: 'CrmSyncWorker', // timeout 30 s
    visibilityTimeoutSeconds: 180,
    batchSize: 5,
    reservedConcurrency: 5,
    bounds:
      'A batch is written in parallel, each CRM write at most 5 s (adapter timeout) plus a token call, so 5 per batch fit the 30 s timeout; 5 at once is what a CRM API that is just back from an outage tolerates (ServiceTitan and HubSpot rate-limit per tenant app): reserved concurrency 5 is that ceiling. No mapping maximum concurrency (it keeps 5 idle pollers, issue 19 item 4): a burst past 5 is throttled and a throttled receive counts toward the DLQ, but the outbox row stays pending in DynamoDB and the recovery sweep rings it again; the DLQ is alarmed. Backoff holds messages up to 15 minutes on purpose, so no oldest-message alarm: the outbox sweep finds late work.',
  },
  {
    name: 'notify',
    consumer: 'NotifyWorker', // timeout 20 s
    visibilityTimeoutSeconds: 120,
    batchSize: 10,
    reservedConcurrency: 10,
    // The one queue that bursts by design (the 8:00 reminders): without a mapping maximum, a burst is
    // throttled into the DLQ, so every busy morning would alarm ops and show dispatchers "failed"
    // messages that the ledger sends anyway. Worth its ~$0.16 a month of idle polls.
    maximumConcurrency: 10,
    // The sweeper queues what is due every minute; a message older than 10 minutes is a late reminder.
    maxAgeAlarmSeconds: 600,
    bounds:
      "A batch is sent in parallel (Powertools BatchProcessor), each send at most 5 s (Twilio/SES timeout), so 10 per batch fit the 20 s timeout; the sweeper can queue thousands of reminders at 8:00 on a busy morning, the one burst that could take the account's concurrency from CreateBooking and the booking nodes: 10 reserved caps it (and keeps 10 for it), and the mapping maximum of 10 makes the poller wait instead of invoking into throttles (a throttled receive would count toward the DLQ). The DLQ and the oldest message are alarmed.",
  },
  {
    name: 'status-events',
    consumer: 'StatusEventsWorker', // timeout 30 s
    visibilityTimeoutSeconds: 180,
    batchSize: 5,
    reservedConcurrency: 5,
    bounds:
      'Events apply in order one by one (processInParallel false) with a DynamoDB write and sometimes a CRM write (at most 5 s) each, so 5 per batch fit the 30 s timeout; an FSM that replays a day of webhooks is bounded at 5 concurrent (reserved) so it cannot starve the booking path. No mapping maximum concurrency (5 idle pollers, issue 19 item 4): a throttled receive counts toward the DLQ, which is alarmed and redrives to this queue; events are idempotent by their source id. No oldest-message alarm: a failing worker fills the DLQ.',
  },
  {
    name: 'crm-read-sync',
    consumer: 'CrmReadSyncWorker', // timeout 60 s
    visibilityTimeoutSeconds: 360,
    batchSize: 1,
    reservedConcurrency: 2,
    bounds:
      "One page per message and per invocation (its vendor calls at most 30 s, its ~100 customers' writes a few seconds) fits the 60 s timeout; a tenant's pages run one after another (each rings the next), and 2 at once across tenants (reserved) keeps a CRM's per-app rate limit and our write capacity for the booking path. No mapping maximum concurrency (5 idle pollers, issue 19 item 4): a tenant's pages ring one at a time, so throttles are rare, and a page that reaches the alarmed DLQ is asked again by the next 15-minute poll. A throttled page waits up to 15 minutes on purpose (Retry-After): no oldest-message alarm.",
  },
];

/** DLQ policy shared by every work queue (ENGINEERING.md: 5 receives, 14 days). */
export const deadLetterPolicy = { maxReceiveCount: 5, retentionDays: 14 };

/**
 * Lambda's asynchronous retries of a scheduled run that failed, before its on-failure destination
 * (the alarmed async-targets DLQ) gets it: lib/schedules.ts in AWS, local/ticker.ts locally.
 */
export const SCHEDULED_RUN_RETRIES = 2;

export interface ScheduleSpec {
  name: string;
  lambda: string;
  /**
   * EventBridge Scheduler expression, UTC. Two forms, both understood by the local ticker
   * (local/ticker.ts): `rate(1 minute)`, and `cron(M * * * ? *)` (every hour at minute M).
   */
  expression: string;
}

export const schedules: ScheduleSpec[] = [
  // The notification sweep and the emergency dispatch sweep, in one run (functions/ops/minute-sweeps.handler.ts).
  { name: 'minute-sweeps', lambda: 'MinuteSweeps', expression: 'rate(1 minute)' },
  { name: 'recovery-sweep', lambda: 'RecoverySweep', expression: 'rate(5 minutes)' },
  // Hourly, on the hour: each run renews the tenants whose local time is 09:00 (RENEWALS_LOCAL_HOUR in
  // functions/renewals/scan.handler.ts), so every company's notices and charges go out at 9 its time.
  { name: 'renewals-scan', lambda: 'RenewalsScan', expression: 'cron(0 * * * ? *)' },
  // Incremental CRM read sync (modifiedOnOrAfter polling) for every tenant with a connected CRM.
  { name: 'crm-read-sync-poll', lambda: 'CrmReadSyncPoll', expression: 'rate(15 minutes)' },
];

export interface StateMachineSpec {
  /** camelCase; an ASL file starts it through `${<Name>StateMachineArn}` (Name = PascalCase). */
  name: 'booking' | 'jobTrail';
  file: string;
  type: 'EXPRESS' | 'STANDARD';
  /** Env var through which callers learn its ARN. */
  arnEnv: string;
}

/** In creation order: a machine that starts another comes after it. */
export const stateMachines: StateMachineSpec[] = [
  // Express (issue 19 item 4): billed per request and duration, not per state transition; its failure path is in its ASL.
  { name: 'jobTrail', file: 'state-machines/job-trail.asl.json', type: 'EXPRESS', arnEnv: 'JOB_TRAIL_STATE_MACHINE_ARN' },
  { name: 'booking', file: 'state-machines/booking.asl.json', type: 'EXPRESS', arnEnv: 'BOOKING_STATE_MACHINE_ARN' },
];

/**
 * EventBridge rules on Step Functions execution status changes: a failed, timed-out or aborted
 * execution of the machine invokes the Lambda (which opens a review item).
 */
export interface ExecutionFailureRule {
  stateMachine: StateMachineSpec['name'];
  lambda: string;
  statuses: Array<'FAILED' | 'TIMED_OUT' | 'ABORTED'>;
}

// None today: the job trail is Express (no execution-status events); its ReportTrailFailure state opens the review item.
export const executionFailureRules: ExecutionFailureRule[] = [];

/** The route API Gateway matched, by its route key (`POST /v1/bookings`): the event's `routeKey`. */
export function routeByKey(routeKey: string): RouteSpec | undefined {
  return routesByKey.get(routeKey);
}

const routesByKey = new Map<string, RouteSpec>(routes.map((route) => [routeKeyOf(route), route]));

/** The key API Gateway gives a route (`POST /v1/bookings`), as in the event's `routeKey`. */
export function routeKeyOf(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

const routesByName = new Map<string, RouteSpec>(routes.map((route) => [route.name, route]));

export function routeNamed(name: RouteName): RouteSpec {
  const route = routesByName.get(name);
  if (!route) throw new Error(`No route named ${name} in functions/registry.ts`);
  return route;
}

/**
 * The route key of a named route: what a handler serving several routes compares `event.routeKey`
 * with, so the method and path are written only in the table above.
 */
export function routeKey(name: RouteName): string {
  return routeKeyOf(routeNamed(name));
}

/**
 * The booking path is traced (X-Ray, Powertools tracer): the route that starts the booking workflow
 * and every workflow node (functions/shared/node.ts wraps them all). Other functions stay untraced,
 * which keeps their bundles free of the X-Ray SDK.
 */
export function isTraced(spec: LambdaSpec): boolean {
  return spec.kind === 'node' || spec.grants.includes('bookingWorkflow:startSync');
}

/** The deployed function's Description: its route keys (from the route table), then what it does; at most 256 characters. */
export function lambdaDescription(spec: LambdaSpec): string {
  const keys = routes.filter((route) => route.lambda === spec.name).map(routeKeyOf);
  const text = keys.length ? `${keys.join(', ')}: ${spec.description}` : spec.description;
  return text.length <= 256 ? text : `${text.slice(0, 255)}…`;
}

export function lambdaByName(name: string): LambdaSpec {
  const spec = lambdas.find((l) => l.name === name);
  if (!spec) throw new Error(`No lambda named ${name} in functions/registry.ts`);
  return spec;
}

/** The ASL substitution key for a node function. */
export function substitutionKey(lambdaName: string): string {
  return `${lambdaName}FunctionArn`;
}

/** Lambda names a state machine's Task states call, read from its ASL `${<name>FunctionArn}` keys. */
export function taskLambdaNames(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)FunctionArn\}/g)].map((m) => m[1]!))];
}

/** State machines an ASL file starts, read from its `${<Name>StateMachineArn}` keys (camelCase names). */
export function startedStateMachineNames(definition: string): Array<StateMachineSpec['name']> {
  const names = [...definition.matchAll(/\$\{([A-Za-z0-9]+)StateMachineArn\}/g)].map((m) => m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1));
  return [...new Set(names)] as Array<StateMachineSpec['name']>;
}

export function stateMachineSubstitutionKey(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}StateMachineArn`;
}

/**
 * The `definitionSubstitutions` map for a state machine: the same map in CDK (with real ARNs) and
 * locally (with local ARNs that the interpreter resolves to handlers and the local endpoint).
 */
export function definitionSubstitutions(
  definition: string,
  arnOf: (lambdaName: string) => string,
  stateMachineArnOf: (machineName: string) => string = (name) => {
    throw new Error(`${name}: this definition starts a state machine; pass stateMachineArnOf`);
  },
): Record<string, string> {
  return {
    ...Object.fromEntries(taskLambdaNames(definition).map((name) => [substitutionKey(name), arnOf(name)])),
    ...Object.fromEntries(startedStateMachineNames(definition).map((name) => [stateMachineSubstitutionKey(name), stateMachineArnOf(name)])),
  };
}

/** Environment variable that carries a queue's dead-letter queue URL (e.g. NOTIFY_DLQ_URL). */
export function dlqUrlEnv(queue: QueueName): string {
  return `${queue.replace(/-/g, '_').toUpperCase()}_DLQ_URL`;
}

/** Environment variable that carries a queue's URL (e.g. NOTIFY_QUEUE_URL). */
export function queueUrlEnv(queue: QueueName): string {
  return `${queue.replace(/-/g, '_').toUpperCase()}_QUEUE_URL`;
}
