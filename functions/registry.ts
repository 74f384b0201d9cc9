/**
 * Every Lambda function of JobRelay, in one table. The CDK stack builds one NodejsFunction per entry
 * with exactly the listed grants; the local runtime loads the same handler files; the ASL files name
 * node functions by `${<name>FunctionArn}`. Add a function here and both worlds get it.
 */
export type Grant =
  | 'table:read'
  | 'table:readWrite'
  | 'notifyQueue:send'
  | 'bookingWorkflow:startSync'
  | 'crmSecrets:read'
  /** Send to the crm-sync queue (the CRM outbox); its URL in the environment. */
  | 'crmSyncQueue:send'
  /** Send to the status-events queue (job events from the field); its URL in the environment. */
  | 'statusEventsQueue:send'
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
  description: string;
  grants: Grant[];
  timeoutSeconds?: number;
  memoryMb?: number;
  /** Files or folders (paths from the repository root, kept as-is) shipped next to the bundle. */
  assets?: string[];
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `/v1/bookings/{id}`. */
  path: string;
  lambda: string;
}

export interface QueueSpec {
  /** Logical name; the env var `<NAME>_QUEUE_URL` carries its URL. */
  name: 'crm-sync' | 'notify' | 'status-events';
  /** Visibility timeout: at least the consumer's timeout. */
  visibilityTimeoutSeconds: number;
  consumer?: string;
}

export const lambdas: LambdaSpec[] = [
  // HTTP routes
  {
    name: 'CreateBooking',
    kind: 'route',
    entry: 'functions/booking/create-booking.handler.ts',
    description: 'POST /v1/bookings: validate, dedupe, run the booking workflow synchronously',
    grants: ['table:readWrite', 'bookingWorkflow:startSync'],
    timeoutSeconds: 29,
  },
  {
    name: 'GetBooking',
    kind: 'route',
    entry: 'functions/booking/get-booking.handler.ts',
    description: 'GET /v1/bookings/{id}: the booking and its timeline',
    grants: ['table:read'],
  },
  {
    name: 'ListReviewItems',
    kind: 'route',
    entry: 'functions/review/list-review-items.handler.ts',
    description: 'GET /v1/review-items: the human review queue',
    grants: ['table:read'],
  },
  {
    name: 'ApiDocuments',
    kind: 'route',
    entry: 'functions/api/documents.handler.ts',
    description: 'GET /v1/openapi.json and /v1/tools.json, generated from the zod schemas',
    grants: [],
  },
  // The people's side (issue 7): review queue, operations, reports, administration, console
  {
    name: 'ListBookings',
    kind: 'route',
    entry: 'functions/booking/list-bookings.handler.ts',
    description: "GET /v1/bookings: a tenant's bookings by creation date, or today's and upcoming ones",
    grants: ['table:read'],
  },
  {
    name: 'GetBookingActivity',
    kind: 'route',
    entry: 'functions/booking/booking-activity.handler.ts',
    description: 'GET /v1/bookings/{id}/activity: node outcomes, messages, CRM writes and review items of a booking',
    grants: ['table:read'],
  },
  {
    name: 'GetReviewItem',
    kind: 'route',
    entry: 'functions/review/get-review-item.handler.ts',
    description: 'GET /v1/review-items/{id}: one review item with its full payload and reason',
    grants: ['table:read'],
  },
  {
    name: 'ResolveReviewItem',
    kind: 'route',
    entry: 'functions/review/resolve-review-item.handler.ts',
    description: 'POST /v1/review-items/{id}/resolve: close an item with a note and who did it',
    grants: ['table:readWrite'],
  },
  {
    name: 'RedriveReviewItem',
    kind: 'route',
    entry: 'functions/review/redrive-review-item.handler.ts',
    description: 'POST /v1/review-items/{id}/redrive: re-send the stored message or move the DLQ back',
    grants: ['table:readWrite', 'queues:redrive'],
  },
  {
    name: 'ListQueues',
    kind: 'route',
    entry: 'functions/ops/list-queues.handler.ts',
    description: 'GET /v1/ops/queues: depth of every work queue and its dead-letter queue',
    grants: ['table:read', 'queues:read'],
  },
  {
    name: 'RedriveQueue',
    kind: 'route',
    entry: 'functions/ops/redrive-queue.handler.ts',
    description: 'POST /v1/ops/queues/{queue}/redrive: move the DLQ back to its queue (StartMessageMoveTask)',
    grants: ['queues:redrive'],
  },
  {
    name: 'AttributionReport',
    kind: 'route',
    entry: 'functions/reports/attribution.handler.ts',
    description: 'GET /v1/reports/attribution: bookings to paid revenue by source, campaign or channel',
    grants: ['table:read'],
    timeoutSeconds: 29,
  },
  {
    name: 'CreateTenant',
    kind: 'route',
    entry: 'functions/admin/create-tenant.handler.ts',
    description: 'POST /v1/tenants (platform scope): a new tenant and its first admin key',
    grants: ['table:readWrite'],
  },
  {
    name: 'WhoAmI',
    kind: 'route',
    entry: 'functions/admin/whoami.handler.ts',
    description: 'GET /v1/me: the tenant and scopes of the calling key',
    grants: ['table:read'],
  },
  {
    name: 'ListApiKeys',
    kind: 'route',
    entry: 'functions/admin/list-api-keys.handler.ts',
    description: "GET /v1/keys (admin scope): the tenant's API keys, never their secrets",
    grants: ['table:read'],
  },
  {
    name: 'CreateApiKey',
    kind: 'route',
    entry: 'functions/admin/create-api-key.handler.ts',
    description: 'POST /v1/keys (admin scope): a new key, shown once, stored hashed',
    grants: ['table:readWrite'],
  },
  {
    name: 'RotateApiKey',
    kind: 'route',
    entry: 'functions/admin/rotate-api-key.handler.ts',
    description: 'POST /v1/keys/{keyId}/rotate (admin scope): a new secret for the key, the old one revoked',
    grants: ['table:readWrite'],
  },
  {
    name: 'RevokeApiKey',
    kind: 'route',
    entry: 'functions/admin/revoke-api-key.handler.ts',
    description: 'POST /v1/keys/{keyId}/revoke (admin scope): the key stops working at once',
    grants: ['table:readWrite'],
  },
  {
    name: 'ConsoleAssets',
    kind: 'route',
    entry: 'functions/console/console-assets.handler.ts',
    description: 'GET / and /console/{file}: the operator console (static page; it signs in with an API key)',
    grants: [],
    assets: ['console'],
  },
  // Capacity (issue 4): availability, holds, configuration, schedule sync, dispatcher confirm
  {
    name: 'Availability',
    kind: 'route',
    entry: 'functions/capacity/availability.handler.ts',
    description: 'GET /v1/availability: windows a qualified technician covering the address can really serve',
    grants: ['table:read'],
  },
  {
    name: 'Holds',
    kind: 'route',
    entry: 'functions/capacity/holds.handler.ts',
    description: 'POST /v1/holds, GET and DELETE /v1/holds/{id}: soft holds that expire by themselves',
    grants: ['table:readWrite'],
  },
  {
    name: 'TenantConfig',
    kind: 'route',
    entry: 'functions/tenant/config.handler.ts',
    description: '/v1/config/company, /technicians, /job-types: the owner configures capacity',
    grants: ['table:readWrite'],
  },
  {
    name: 'ScheduleSync',
    kind: 'route',
    entry: 'functions/capacity/schedule-sync.handler.ts',
    description: "POST /v1/schedule/sync: the FSM's existing jobs consume capacity; marks the schedule fresh",
    grants: ['table:readWrite'],
    timeoutSeconds: 29,
  },
  {
    name: 'ChangeBooking',
    kind: 'route',
    entry: 'functions/booking/change-booking.handler.ts',
    description: 'POST /v1/bookings/{id}/reschedule and /cancel: move or cancel a booked job through the same claims',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send'],
    timeoutSeconds: 29,
  },
  {
    name: 'Outbox',
    kind: 'route',
    entry: 'functions/notify/outbox.handler.ts',
    description: 'GET /v1/outbox: what the local outbox provider sent',
    grants: ['table:read'],
  },
  {
    name: 'InboundSms',
    kind: 'route',
    entry: 'functions/notify/inbound-sms.handler.ts',
    description: 'POST /v1/webhooks/sms/{tenantId}: signed replies from Twilio; STOP opts out, START opts back in',
    grants: ['table:readWrite', 'crmSecrets:read'],
  },
  {
    name: 'ConfirmBooking',
    kind: 'route',
    entry: 'functions/booking/confirm-booking.handler.ts',
    description: 'POST /v1/bookings/{id}/confirm: dispatch confirms a pending_confirmation booking',
    grants: ['table:readWrite', 'jobTrail:start'],
  },
  // Customers, CRM mapping and bookings awaiting a dispatcher (issue 5)
  {
    name: 'LookupCustomer',
    kind: 'route',
    entry: 'functions/customers/lookup-customer.handler.ts',
    description: 'POST /v1/customers/lookup: recognise a caller by phone, email or service address',
    grants: ['table:read'],
  },
  {
    name: 'Triage',
    kind: 'route',
    entry: 'functions/triage/triage.handler.ts',
    description: 'POST /v1/triage: intent, trade, urgency, job type and route of what a caller said (tenant rules)',
    grants: ['table:read'],
  },
  {
    name: 'PutCrmMapping',
    kind: 'route',
    entry: 'functions/crm/put-crm-mapping.handler.ts',
    description: "PUT /v1/config/crm-mapping: the tenant's overrides of the CRM mapping table",
    grants: ['table:readWrite'],
  },
  {
    name: 'DecideBooking',
    kind: 'route',
    entry: 'functions/booking/decide-booking.handler.ts',
    description: 'POST /v1/bookings/{id}/accept and /dismiss: a dispatcher decides a pending_approval booking',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send', 'jobTrail:start'],
    timeoutSeconds: 15,
  },
  // Job lifecycle from the field and renewals (issue 6, part)
  {
    name: 'PostJobEvent',
    kind: 'route',
    entry: 'functions/lifecycle/post-job-event.handler.ts',
    description: 'POST /v1/jobs/{id}/events: validate a job event and queue it on status-events',
    grants: ['table:read', 'statusEventsQueue:send'],
  },
  {
    name: 'FieldJobEventsWebhook',
    kind: 'route',
    entry: 'functions/webhooks/job-events.handler.ts',
    description: "POST /v1/webhooks/{provider}/job-events: an FSM's signed job events, queued on status-events",
    grants: ['table:read', 'crmSecrets:read', 'statusEventsQueue:send'],
  },
  {
    name: 'StatusEventsWorker',
    kind: 'worker',
    entry: 'functions/lifecycle/status-events.handler.ts',
    description: 'Apply job events through the transition table (version-checked); CRM fields, messages, customer facts; review item before the DLQ',
    grants: ['table:readWrite', 'crmSecrets:read'],
    timeoutSeconds: 30,
  },
  {
    name: 'Memberships',
    kind: 'route',
    entry: 'functions/renewals/memberships.handler.ts',
    description: "GET /v1/customers/{customerId}/memberships and PUT .../{membershipId}: a customer's service agreements",
    grants: ['table:readWrite'],
  },
  {
    name: 'RenewalsScan',
    kind: 'schedule',
    entry: 'functions/renewals/scan.handler.ts',
    description: 'Daily: membership renewal notices at 60/30/7/0 days, payment retry on a cadence, win-back for lapsed members',
    grants: ['table:readWrite'],
    timeoutSeconds: 300,
  },
  // Job trail nodes (state-machines/job-trail.asl.json, Standard, one execution per confirmed booking)
  {
    name: 'AssignTechnician',
    kind: 'node',
    entry: 'functions/trail/assign-technician.handler.ts',
    description: 'Confirm the technician (territory, skill, schedule, workload) or move the job to one who qualifies',
    grants: ['table:readWrite'],
  },
  {
    name: 'NotifyTechnician',
    kind: 'node',
    entry: 'functions/trail/notify-technician.handler.ts',
    description: 'Send the technician the job with full context (history, equipment, access notes, summary, transcript)',
    grants: ['table:readWrite'],
  },
  {
    name: 'NotifyDispatcher',
    kind: 'node',
    entry: 'functions/trail/notify-dispatcher.handler.ts',
    description: 'Tell the dispatcher (and the on-call manager for emergencies) about the new job',
    grants: ['table:readWrite'],
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
    kind: 'worker',
    entry: 'functions/trail/trail-failed.handler.ts',
    description: 'EventBridge target: a failed or timed-out trail execution becomes a review item',
    grants: ['table:readWrite'],
  },
  // Booking workflow nodes (state-machines/booking.asl.json)
  {
    name: 'RecogniseCustomer',
    kind: 'node',
    entry: 'functions/recognise/recognise-customer.handler.ts',
    description: 'Find the caller by normalised phone or create the customer',
    grants: ['table:readWrite'],
  },
  {
    name: 'CheckCapacity',
    kind: 'node',
    entry: 'functions/capacity/check-capacity.handler.ts',
    description: 'Decide which window and technicians can honour the booking',
    grants: ['table:readWrite'],
  },
  {
    name: 'SoftHold',
    kind: 'node',
    entry: 'functions/capacity/soft-hold.handler.ts',
    description: 'Claim the slot with a conditional write (status HELD, expires by itself)',
    grants: ['table:readWrite'],
  },
  {
    name: 'WriteCrm',
    kind: 'node',
    entry: 'functions/crm/write-crm.handler.ts',
    description: 'Write customer and job to the CRM through the mapping table',
    grants: ['table:readWrite', 'crmSecrets:read'],
    timeoutSeconds: 15,
  },
  {
    name: 'CommitSlot',
    kind: 'node',
    entry: 'functions/capacity/commit-slot.handler.ts',
    description: 'Turn the hold into a booked slot (HELD(holdId) -> BOOKED) and settle the booking status',
    grants: ['table:readWrite'],
  },
  {
    name: 'ScheduleNotifications',
    kind: 'node',
    entry: 'functions/notify/schedule-notifications.handler.ts',
    description: 'Write the confirmation and reminders into the notification ledger',
    grants: ['table:readWrite'],
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
    name: 'NotificationSweeper',
    kind: 'schedule',
    entry: 'functions/notify/sweep.handler.ts',
    description: 'Every minute: queue the notifications that are due',
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
    description: 'The CRM outbox: write kept bookings once the CRM is back, with growing backoff; review item before the DLQ',
    grants: ['table:readWrite', 'crmSecrets:read'],
    timeoutSeconds: 30,
  },
  {
    name: 'DispatchBoard',
    kind: 'route',
    entry: 'functions/dispatch/board.handler.ts',
    description: "GET /v1/dispatch/board: each technician's day (booked jobs by window)",
    grants: ['table:read'],
  },
  {
    name: 'DispatchPlan',
    kind: 'route',
    entry: 'functions/dispatch/plan.handler.ts',
    description: "POST /v1/dispatch/plan: HiGHS MIP day plan vs first-come-first-served (a proposal, not applied)",
    grants: ['table:read'],
    timeoutSeconds: 29,
    memoryMb: 1024,
    // The HiGHS solver is WebAssembly: its .wasm ships next to the bundle (functions/dispatch/plan.ts).
    assets: ['node_modules/highs/build/highs.wasm'],
  },
  {
    name: 'DispatchSuggestions',
    kind: 'route',
    entry: 'functions/dispatch/suggestions.handler.ts',
    description: 'GET /v1/dispatch/suggestions and POST .../{id}/accept: re-dispatch options for technicians running behind, accepted through rescheduleBooking or reassignTechnicians (swap)',
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send'],
    timeoutSeconds: 29,
  },
  {
    name: 'DispatchReassign',
    kind: 'route',
    entry: 'functions/dispatch/reassign.handler.ts',
    description: "POST /v1/dispatch/reassign: apply technician changes (a day plan's, a swap, a chain) atomically per group",
    grants: ['table:readWrite', 'crmSecrets:read', 'crmSyncQueue:send'],
    timeoutSeconds: 29,
  },
];

export const routes: RouteSpec[] = [
  { method: 'POST', path: '/v1/bookings', lambda: 'CreateBooking' },
  { method: 'GET', path: '/v1/bookings/{id}', lambda: 'GetBooking' },
  { method: 'GET', path: '/v1/review-items', lambda: 'ListReviewItems' },
  { method: 'GET', path: '/v1/bookings', lambda: 'ListBookings' },
  { method: 'GET', path: '/v1/bookings/{id}/activity', lambda: 'GetBookingActivity' },
  { method: 'GET', path: '/v1/review-items/{id}', lambda: 'GetReviewItem' },
  { method: 'POST', path: '/v1/review-items/{id}/resolve', lambda: 'ResolveReviewItem' },
  { method: 'POST', path: '/v1/review-items/{id}/redrive', lambda: 'RedriveReviewItem' },
  { method: 'GET', path: '/v1/ops/queues', lambda: 'ListQueues' },
  { method: 'POST', path: '/v1/ops/queues/{queue}/redrive', lambda: 'RedriveQueue' },
  { method: 'GET', path: '/v1/reports/attribution', lambda: 'AttributionReport' },
  { method: 'POST', path: '/v1/tenants', lambda: 'CreateTenant' },
  { method: 'GET', path: '/v1/me', lambda: 'WhoAmI' },
  { method: 'GET', path: '/v1/keys', lambda: 'ListApiKeys' },
  { method: 'POST', path: '/v1/keys', lambda: 'CreateApiKey' },
  { method: 'POST', path: '/v1/keys/{keyId}/rotate', lambda: 'RotateApiKey' },
  { method: 'POST', path: '/v1/keys/{keyId}/revoke', lambda: 'RevokeApiKey' },
  { method: 'GET', path: '/', lambda: 'ConsoleAssets' },
  { method: 'GET', path: '/console/{file}', lambda: 'ConsoleAssets' },
  { method: 'POST', path: '/v1/customers/lookup', lambda: 'LookupCustomer' },
  { method: 'POST', path: '/v1/triage', lambda: 'Triage' },
  { method: 'PUT', path: '/v1/config/crm-mapping', lambda: 'PutCrmMapping' },
  { method: 'POST', path: '/v1/bookings/{id}/accept', lambda: 'DecideBooking' },
  { method: 'POST', path: '/v1/bookings/{id}/dismiss', lambda: 'DecideBooking' },
  { method: 'GET', path: '/v1/openapi.json', lambda: 'ApiDocuments' },
  { method: 'GET', path: '/v1/tools.json', lambda: 'ApiDocuments' },
  { method: 'GET', path: '/v1/availability', lambda: 'Availability' },
  { method: 'POST', path: '/v1/holds', lambda: 'Holds' },
  { method: 'GET', path: '/v1/holds/{id}', lambda: 'Holds' },
  { method: 'DELETE', path: '/v1/holds/{id}', lambda: 'Holds' },
  { method: 'GET', path: '/v1/config/company', lambda: 'TenantConfig' },
  { method: 'PUT', path: '/v1/config/company', lambda: 'TenantConfig' },
  { method: 'GET', path: '/v1/config/technicians', lambda: 'TenantConfig' },
  { method: 'PUT', path: '/v1/config/technicians/{id}', lambda: 'TenantConfig' },
  { method: 'DELETE', path: '/v1/config/technicians/{id}', lambda: 'TenantConfig' },
  { method: 'GET', path: '/v1/config/job-types', lambda: 'TenantConfig' },
  { method: 'PUT', path: '/v1/config/job-types/{id}', lambda: 'TenantConfig' },
  { method: 'DELETE', path: '/v1/config/job-types/{id}', lambda: 'TenantConfig' },
  { method: 'POST', path: '/v1/schedule/sync', lambda: 'ScheduleSync' },
  { method: 'POST', path: '/v1/bookings/{id}/confirm', lambda: 'ConfirmBooking' },
  { method: 'POST', path: '/v1/jobs/{id}/events', lambda: 'PostJobEvent' },
  { method: 'POST', path: '/v1/webhooks/{provider}/job-events', lambda: 'FieldJobEventsWebhook' },
  { method: 'GET', path: '/v1/customers/{customerId}/memberships', lambda: 'Memberships' },
  { method: 'PUT', path: '/v1/customers/{customerId}/memberships/{membershipId}', lambda: 'Memberships' },
  { method: 'POST', path: '/v1/bookings/{id}/reschedule', lambda: 'ChangeBooking' },
  { method: 'POST', path: '/v1/bookings/{id}/cancel', lambda: 'ChangeBooking' },
  { method: 'GET', path: '/v1/outbox', lambda: 'Outbox' },
  { method: 'POST', path: '/v1/webhooks/sms/{tenantId}', lambda: 'InboundSms' },
  { method: 'GET', path: '/v1/dispatch/board', lambda: 'DispatchBoard' },
  { method: 'POST', path: '/v1/dispatch/plan', lambda: 'DispatchPlan' },
  { method: 'GET', path: '/v1/dispatch/suggestions', lambda: 'DispatchSuggestions' },
  { method: 'POST', path: '/v1/dispatch/suggestions/{id}/accept', lambda: 'DispatchSuggestions' },
  { method: 'POST', path: '/v1/dispatch/reassign', lambda: 'DispatchReassign' },
];

export const queues: QueueSpec[] = [
  { name: 'crm-sync', visibilityTimeoutSeconds: 60, consumer: 'CrmSyncWorker' },
  { name: 'notify', visibilityTimeoutSeconds: 60, consumer: 'NotifyWorker' },
  { name: 'status-events', visibilityTimeoutSeconds: 60, consumer: 'StatusEventsWorker' },
];

/** DLQ policy shared by every work queue (ENGINEERING.md: 5 receives, 14 days). */
export const deadLetterPolicy = { maxReceiveCount: 5, retentionDays: 14 };

export interface ScheduleSpec {
  name: string;
  lambda: string;
  expression: string;
}

export const schedules: ScheduleSpec[] = [
  { name: 'notification-sweeper', lambda: 'NotificationSweeper', expression: 'rate(1 minute)' },
  { name: 'renewals-scan', lambda: 'RenewalsScan', expression: 'rate(1 day)' },
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
  { name: 'jobTrail', file: 'state-machines/job-trail.asl.json', type: 'STANDARD', arnEnv: 'JOB_TRAIL_STATE_MACHINE_ARN' },
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

export const executionFailureRules: ExecutionFailureRule[] = [
  { stateMachine: 'jobTrail', lambda: 'TrailExecutionFailed', statuses: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
];

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
export function dlqUrlEnv(queue: QueueSpec['name']): string {
  return `${queue.replace(/-/g, '_').toUpperCase()}_DLQ_URL`;
}

/** Environment variable that carries a queue's URL (e.g. NOTIFY_QUEUE_URL). */
export function queueUrlEnv(queue: QueueSpec['name']): string {
  return `${queue.replace(/-/g, '_').toUpperCase()}_QUEUE_URL`;
}
