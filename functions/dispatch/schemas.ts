/** Dispatch board and day planner: query and response schemas (also the OpenAPI description). */
import * as z from '../shared/zod';
import { isCalendarDate } from '../shared/zoned-time';

/** The days a dispatch board or plan can be asked for: no company has a day outside them. */
const FIRST_DAY = '2000-01-01';
const LAST_DAY = '2099-12-31';

export const DispatchDateQuerySchema = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .refine(isCalendarDate, 'no such day on the calendar')
    .refine((d) => FIRST_DAY <= d && d <= LAST_DAY, `expected a day from ${FIRST_DAY} to ${LAST_DAY}`)
    .openapi({ description: "Local date in the company's time zone (a calendar day, 2000 to 2099)", example: '2026-12-02' }),
});

export const PlanQuerySchema = DispatchDateQuerySchema.extend({
  flexibleWindows: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ description: 'Let the planner move jobs to another window of the day (default: each job keeps the window the customer was promised)' }),
  timeLimitSeconds: z.coerce
    .number({ error: 'expected a number of seconds' })
    .min(1, 'the planner needs at least 1 second')
    .max(25, 'at most 25 seconds: the plan answers within the API time limit')
    .default(10)
    .openapi({
      description:
        'Time budget of the solver, seconds. Under the route travel model the whole plan (search and bound) answers within min(this, 20) s: the search stops at its deadline with the best valid plan so far (solver.cut says what it cut)',
    }),
  maxHopMinutes: z.coerce
    .number({ error: 'expected a whole number of minutes' })
    .int('expected a whole number of minutes')
    .min(10, 'at least 10 minutes')
    .max(240, 'at most 240 minutes')
    .default(60)
    .openapi({ description: "Longest drive between one technician's jobs in back-to-back windows (centroid to centroid); the plan has none longer" }),
});

const BoardJobSchema = z.object({
  bookingId: z.string(),
  status: z.string(),
  jobTypeId: z.string(),
  jobTypeName: z.string().optional(),
  postalCode: z.string(),
  start: z.string(),
  end: z.string(),
  windowStarts: z.array(z.string()),
  minutes: z
    .record(z.string(), z.number())
    .openapi({ description: "Minutes of each window (by start) the job's capacity claims hold: its duration plus travel buffer, or the whole window" }),
  durationMinutes: z.number().optional().openapi({ description: "The job type's minutes on site, when it has a duration" }),
  jobState: z.string().optional(),
});

export const BoardSchema = z
  .object({
    date: z.string(),
    timeZone: z.string(),
    windows: z.array(z.object({ start: z.string(), end: z.string() })),
    technicians: z.array(
      z.object({
        technicianId: z.string(),
        name: z.string(),
        onShiftWindows: z.array(z.string()),
        jobs: z.array(BoardJobSchema),
      }),
    ),
    unassigned: z.array(BoardJobSchema),
    version: z.string().openapi({ description: 'Who does which job in which windows, as a digest: changes when the board does' }),
  })
  .openapi('DispatchBoard');

const MetricsSchema = z.object({
  trucks: z.number(),
  jobs: z.number(),
  served: z.number(),
  unserved: z.number(),
  jobsPerTruck: z.number(),
  driveMinutes: z.number(),
  longHops: z.number().openapi({
    description:
      'Back-to-back jobs of one technician more than maxHopMinutes apart (first-come-first-served does not look at drives; a plan keeps only hops the real assignment already has, rather than drop a booked job); 0 under the route travel model, where every route is time-checked',
  }),
});
const AssignmentSchema = z.object({ jobId: z.string(), technicianId: z.string(), start: z.string(), windowStarts: z.array(z.string()) });

const WaitlistPlacementSchema = z.object({
  leadId: z.string().trim().min(1).max(64),
  technicianId: z.string().trim().min(1).max(100),
  start: z.string().regex(/^\d{2}:\d{2}$/, 'expected HH:mm'),
});

export const ReassignBodySchema = z
  .object({
    date: DispatchDateQuerySchema.shape.date,
    assignments: z
      .array(
        z.object({
          jobId: z.string().trim().min(1).max(64).openapi({ description: 'The booking id' }),
          technicianId: z.string().trim().min(1).max(100),
          start: z
            .string()
            .regex(/^\d{2}:\d{2}$/, 'expected HH:mm')
            .optional()
            .openapi({
              description: "The job's window start, if given, must be the booked one: a window change needs the customer (POST /v1/bookings/{id}/reschedule)",
            }),
        }),
      )
      .min(1)
      .max(200)
      .openapi({ description: "Who does each job: a day plan's `changes[].to`, a swap, or any set of technician changes" }),
    reason: z.string().trim().max(500).optional(),
    planId: z
      .string()
      .trim()
      .regex(/^pl_[A-Za-z0-9_-]{10,40}$/, 'expected a plan id from POST /v1/dispatch/plan')
      .optional()
      .openapi({ description: "A day plan's `planId`: applying it twice does it once (the second answer is the first's)" }),
    boardVersion: z.string().trim().min(1).max(64).optional().openapi({
      description: "The board version the plan was computed on (the plan's `boardVersion`): a board that changed since is refused (409 board_changed)",
    }),
    waitlist: z.array(WaitlistPlacementSchema).max(200).optional().openapi({
      description:
        "The plan's `waitlistPlaced`, sent with its planId: once the changes are applied, the room they make is offered to exactly these waiting callers, in these windows (without it: to the day's waitlist, earliest first)",
    }),
  })
  .refine((b) => !b.planId || b.boardVersion, { message: 'a planId comes with the boardVersion of its plan', path: ['boardVersion'] })
  .openapi('DispatchReassign');

export const PlanSchema = z
  .object({
    date: z.string(),
    applied: z.literal(false).openapi({ description: 'The plan is a proposal; nothing was changed' }),
    travelModel: z.enum(['buffer', 'route']).optional().openapi({
      description:
        "The company's travel model the plan used: buffer (each job also takes a fixed travel buffer of its window; HiGHS MIP) or route (real drive between consecutive jobs, base first; drive minutes are the real routes')",
    }),
    planId: z.string().openapi({ description: 'Apply with POST /v1/dispatch/reassign {date, planId, boardVersion, assignments: changes[].to}' }),
    boardVersion: z.string().openapi({ description: 'The board the plan was computed on; applying it on a changed board is refused' }),
    plan: z.object({ metrics: MetricsSchema, assignments: z.array(AssignmentSchema) }),
    current: z
      .object({ metrics: MetricsSchema })
      .openapi({ description: "The baseline: the day's real assignment (what the claims hold now), scored the same way as the plan" }),
    solver: z.object({
      solver: z.string(),
      status: z.string(),
      objective: z.number(),
      bound: z.number(),
      gap: z.number(),
      jobsServedBound: z.number(),
      driveMinutesBound: z.number().openapi({ description: "Proved lower bound on the routes' drive minutes of any plan serving as many jobs" }),
      objectiveKind: z.enum(['served_then_drive', 'drive_minutes']).optional().openapi({
        description:
          "served_then_drive: objective = 1000 per job served minus rank minus drive minutes (maximised); drive_minutes (route model): objective = the plan's drive minutes, bound = driveMinutesBound, gap = (objective - bound) / objective",
      }),
      budgetSeconds: z.number().optional().openapi({ description: 'The time budget the plan kept to' }),
      cut: z.string().optional().openapi({ description: 'What the time budget cut (absent: the search ran to its end)' }),
      kept: z.string().optional().openapi({
        description:
          "Present when the plan is today's assignment unchanged (no changes) because the best plan found was worse: it would drop a booked job, drive more serving as many, or break a rule; says which. The solver's figures are the run's",
      }),
      boundProof: z
        .string()
        .optional()
        .openapi({ description: 'How the bound was proved: HiGHS on the arc relaxation in budget, or (when that did not finish) the cheapest arcs alone' }),
      seconds: z.number(),
      variables: z.number(),
      constraints: z.number(),
    }),
    changes: z.array(z.object({ jobId: z.string(), from: z.object({ technicianId: z.string().optional(), start: z.string() }), to: AssignmentSchema })),
    waitlistPlaced: z.array(WaitlistPlacementSchema).openapi({
      description:
        "Route travel model: the day's waitlisted callers the plan also places (optional jobs, in a window their request asked; most jobs first, then least drive), counted in plan.metrics (served, jobs per truck, drive minutes) and in the solver's objective; nothing is booked for them: applying the plan with these offers them the room by SMS and they book through POST /v1/bookings",
    }),
  })
  .openapi('DispatchPlan');

const SlotSchema = z.object({ technicianId: z.string().optional(), date: z.string(), start: z.string(), end: z.string() });

export const SuggestionSchema = z
  .object({
    suggestionId: z.string(),
    kind: z.enum(['move', 'swap', 'reschedule']),
    bookingId: z.string(),
    reason: z.object({
      lateBookingId: z.string(),
      technicianId: z.string(),
      lateMinutes: z.number(),
      cause: z.enum(['late_arrival', 'running_long']).openapi({ description: 'late_arrival: an ETA after the window; running_long: a `delayed` job event' }),
    }),
    from: SlotSchema,
    to: z.object({ technicianId: z.string().optional(), date: z.string(), start: z.string(), end: z.string().optional(), driveMinutes: z.number().optional() }),
    customerMessage: z.string(),
    swapWith: z
      .object({ bookingId: z.string(), from: SlotSchema, to: SlotSchema.extend({ driveMinutes: z.number() }), customerMessage: z.string() })
      .optional()
      .openapi({ description: 'swap: the later job the late technician takes over, in its own window' }),
  })
  .openapi('DispatchSuggestion');

export const ReassignResultSchema = z
  .object({
    date: z.string(),
    outcome: z.literal('applied').openapi({ description: 'Every change was applied (a refusal is an error answer: nothing was applied)' }),
    planId: z.string().optional(),
    applied: z.array(z.object({ jobId: z.string(), technicianId: z.string() })).openapi({ description: 'Jobs that now have the asked technician' }),
    unchanged: z.array(z.string()).openapi({ description: 'Jobs that already had the asked technician' }),
    withdrawn: z
      .array(z.string())
      .optional()
      .openapi({ description: 'Staged apply only: jobs a person changed (e.g. cancelled) while the plan was applied, left as they made them' }),
    boardVersion: z.string().openapi({ description: 'The board version after the changes' }),
    waitlistOffers: z.array(z.object({ leadId: z.string(), date: z.string(), start: z.string(), end: z.string() })).openapi({
      description:
        "Room the changes made, offered by SMS to the day's waitlisted callers (earliest waitlisted first, the window their request asked for); nothing is held: they book through POST /v1/bookings. A plan applied again (same planId) answers the offers its first apply made. An offer that could not be made is a review item for dispatch",
    }),
    current: z.object({ metrics: MetricsSchema }).openapi({ description: 'The day as the claims hold it after the changes' }),
  })
  .openapi('DispatchReassignResult');
