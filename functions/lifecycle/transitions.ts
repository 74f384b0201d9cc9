/**
 * The job lifecycle transition table (pure). A job starts `booked`; events from the field (FSM
 * webhooks, the jobs API) each announce the state the job is now in. An event is applied when
 * - its id has not been seen on this job (else: duplicate, a no-op),
 * - it happened after the last applied event (else: stale, out of order, a no-op), and
 * - the table allows its state from the job's current state (else: invalid, a no-op).
 *
 * The table is the transitive closure of the base edges below, so "from any state an earlier event
 * of a valid sequence put the job in, the sequence's last event is allowed". With the event-time
 * rule that makes the end state order-independent: whatever permutation or duplication of a valid
 * sequence arrives, the last event (by time) is applied and nothing older is applied after it.
 */
export const LIFECYCLE_STATES = ['booked', 'dispatched', 'en_route', 'completed', 'invoiced', 'paid', 'cancelled', 'rescheduled', 'no_show'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** Events a source may send: every state but `booked` (a job is booked by JobRelay). */
export const JOB_EVENT_TYPES = LIFECYCLE_STATES.filter((s) => s !== 'booked') as Exclude<LifecycleState, 'booked'>[];
export type JobEventType = Exclude<LifecycleState, 'booked'>;

/** One step the field can take from each state; `allowedTransitions` closes it transitively. */
const BASE_EDGES: Record<LifecycleState, LifecycleState[]> = {
  booked: ['dispatched', 'en_route', 'completed', 'cancelled', 'rescheduled', 'no_show'],
  rescheduled: ['rescheduled', 'dispatched', 'en_route', 'completed', 'cancelled', 'no_show'],
  dispatched: ['dispatched', 'en_route', 'completed', 'cancelled', 'rescheduled', 'no_show'],
  en_route: ['en_route', 'completed', 'cancelled', 'rescheduled', 'no_show'],
  completed: ['invoiced', 'paid'],
  invoiced: ['paid'],
  paid: [],
  cancelled: [],
  no_show: ['rescheduled', 'cancelled'],
};

function closure(edges: Record<LifecycleState, LifecycleState[]>): Record<LifecycleState, ReadonlySet<LifecycleState>> {
  const result = {} as Record<LifecycleState, Set<LifecycleState>>;
  for (const from of LIFECYCLE_STATES) {
    const reached = new Set<LifecycleState>();
    const stack = [...edges[from]];
    while (stack.length) {
      const next = stack.pop()!;
      if (reached.has(next)) continue;
      reached.add(next);
      stack.push(...edges[next]);
    }
    result[from] = reached;
  }
  return result;
}

export const allowedTransitions = closure(BASE_EDGES);

export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return allowedTransitions[from].has(to);
}

/** What the lifecycle knows about a job (fields on the booking item). */
export interface JobLifecycle {
  state: LifecycleState;
  version: number;
  lastEventAt?: string;
  lastEventId?: string;
  seenEventIds: ReadonlySet<string>;
}

export interface JobEvent {
  eventId: string;
  type: JobEventType;
  /** When it happened at the source (ISO 8601). */
  occurredAt: string;
}

export type ApplyOutcome = { outcome: 'applied'; next: JobLifecycle; from: LifecycleState } | { outcome: 'duplicate' | 'stale' | 'invalid'; reason: string };

export function initialLifecycle(): JobLifecycle {
  return { state: 'booked', version: 0, seenEventIds: new Set() };
}

/** Decides what one event does to a job. Pure: the store makes it stick with a version check. */
export function applyJobEvent(job: JobLifecycle, event: JobEvent): ApplyOutcome {
  if (job.seenEventIds.has(event.eventId)) return { outcome: 'duplicate', reason: `event ${event.eventId} was already applied` };
  const at = Date.parse(event.occurredAt);
  if (Number.isNaN(at)) return { outcome: 'invalid', reason: `event time ${event.occurredAt} is not a date` };
  if (job.lastEventAt && !(at > Date.parse(job.lastEventAt))) {
    return { outcome: 'stale', reason: `event at ${event.occurredAt} is not after the last applied event (${job.lastEventAt})` };
  }
  if (!canTransition(job.state, event.type)) {
    return { outcome: 'invalid', reason: `${job.state} -> ${event.type} is not a transition the lifecycle allows` };
  }
  return {
    outcome: 'applied',
    from: job.state,
    next: {
      state: event.type,
      version: job.version + 1,
      lastEventAt: new Date(at).toISOString(),
      lastEventId: event.eventId,
      seenEventIds: new Set([...job.seenEventIds, event.eventId]),
    },
  };
}

/** Applies events in arrival order (what the worker does one message at a time); for tests and tools. */
export function replay(events: JobEvent[], start: JobLifecycle = initialLifecycle()): JobLifecycle {
  return events.reduce((job, event) => {
    const result = applyJobEvent(job, event);
    return result.outcome === 'applied' ? result.next : job;
  }, start);
}
