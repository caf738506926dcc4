/**
 * How many workflow tasks the Worker runs at once, adapted to how long they take (the SDK's custom slot supplier).
 *
 * A case's first workflow task sends its first two mails (local activities), so its length is the mail servers'
 * latency. While those servers take a burst of incoming mail on the same machine, every task slows down, and more of
 * them at once only queue on the same servers: with a fixed 12 slots the first cases of a burst of 1,000 took
 * 1.0-3.1 s each, the rest 0.2 s (bench/burst.ts). So the limit works like TCP's congestion window: it starts at
 * MIN after an idle spell, grows by one for each round of tasks that stay under the target, and shrinks by CUT (at
 * most once per round) when one takes longer.
 *
 * The SDK reserves a slot before each poll, and its pollers wait on the server holding them: with fixed slots about
 * 6 of 12 sat with idle pollers in a burst. Here only tasks that run count against the limit: a poll for new cases
 * gets a slot while `running + polling < limit`, and sticky polls (for cases the Worker has cached) are held apart,
 * STICKY_POLLS of them while fewer than `max` tasks run: counted with the polls for new cases, those took every slot
 * and a cached case's next task waited for the server to hand it on (10 s). The SDK may run a new case's task on a
 * sticky poll's slot (seen: a burst's first two cases at once with a limit of 1), so up to STICKY_POLLS more tasks
 * than the limit can run, never more than `max`.
 */
import type {
  CustomSlotSupplier,
  SlotPermit,
  SlotReserveContext,
  WorkerTuner,
  WorkflowSlotInfo,
} from '@temporalio/worker';

/**
 * A task over this shrinks the limit. Measured in bursts of 1,000 with MIN 2: 700 ms with CUT 0.7 ran 24.1-29.4/s
 * with 0-2 tasks over 1 s (dev server), 25.1-26.7/s with 2-3 (PostgreSQL); 500 ms with halving 26.0-26.9/s with
 * 0-2 (dev); the fixed 12 slots 28.9-29.3/s with 4-6 (dev), 23.1-24.3/s with 5-6 (PostgreSQL) (README "Benchmarks").
 */
const TARGET_MS = 700;
/** What a slow task leaves of the limit. */
const CUT = 0.7;
/**
 * The limit after an idle spell, and its floor. With 1, bursts of 1,000 on the dev server had no task over 1 s in
 * six runs of eight (23.3-33.6/s; 2 in each of the others, the first two cases), on PostgreSQL 0-5 per run
 * (18.6-27.1/s; the machine's speed varied as much). With 2: 0-3 per burst (README "Benchmarks").
 */
const MIN = 1;

/** The limit's law (pure: tested in test/unit/task-slots.test.ts). */
export class TaskLimit {
  private window: number;
  private lastCut = -Infinity;
  private lastDone = -Infinity;

  constructor(
    private readonly o: {
      /** Tasks at once after an idle spell, and never fewer. */
      min: number;
      /** Never more (WORKER_MAX_WORKFLOW_TASKS). */
      max: number;
      /** A task that took longer shrinks the limit. */
      targetMs: number;
      /** No task completed for this long: the next ones start from `min` again. */
      idleMs: number;
    },
  ) {
    this.window = o.min;
  }

  /**
   * Tasks that may run at once at `now` (ms). After an idle spell the limit starts over: the polls still waiting
   * from the last burst hold their slots until they end (the server answers an idle poll within about a minute),
   * and those asked for since get slots by this limit.
   */
  limit(now: number): number {
    if (now - this.lastDone > this.o.idleMs) this.window = this.o.min;
    return Math.floor(this.window);
  }

  /** A task took `tookMs` and ended at `now` (ms). */
  done(tookMs: number, now: number): void {
    this.lastDone = now;
    if (tookMs > this.o.targetMs) {
      // Once per round: the tasks that ran beside the slow one were slow for the same reason.
      if (now - this.lastCut > tookMs) {
        this.window = Math.max(this.o.min, this.window * CUT);
        this.lastCut = now;
      }
      return;
    }
    this.window = Math.min(this.o.max, this.window + 1 / this.window);
  }
}

/** Sticky polls held at once (each holds a slot while it waits; the SDK's pollers ask for more). */
const STICKY_POLLS = 2;

type TPermit = SlotPermit & { sticky: boolean; usedAt?: number };
type TWaiter = { sticky: boolean; grant: (p: TPermit) => void };

export interface AdaptiveSlotsOptions {
  max: number;
  min?: number;
  targetMs?: number;
  idleMs?: number;
  now?: () => number;
}

/** The SDK's custom slot supplier for workflow tasks, on a TaskLimit. */
export function adaptiveWorkflowSlots(o: AdaptiveSlotsOptions): CustomSlotSupplier<WorkflowSlotInfo> & {
  /** For tests and the log: tasks running, polls holding a slot, and the limit now. */
  state(): { running: number; polling: number; sticky: number; limit: number };
} {
  const now = o.now ?? (() => performance.now());
  const law = new TaskLimit({
    min: Math.min(o.min ?? MIN, o.max),
    max: o.max,
    targetMs: o.targetMs ?? TARGET_MS,
    idleMs: o.idleMs ?? 10_000,
  });
  let running = 0;
  let polling = 0; // reserved for polls of new cases' tasks (the normal queue), not yet used
  let sticky = 0; // reserved for sticky polls, not yet used
  const waiting: TWaiter[] = [];
  const fits = (isSticky: boolean): boolean =>
    isSticky ? sticky < STICKY_POLLS && running + sticky < o.max : running + polling < law.limit(now());
  const take = (isSticky: boolean): TPermit => {
    if (isSticky) sticky++;
    else polling++;
    return { sticky: isSticky };
  };
  const wake = (): void => {
    for (let i = 0; i < waiting.length;) {
      const w = waiting[i]!;
      if (!fits(w.sticky)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      w.grant(take(w.sticky));
    }
  };
  return {
    type: 'custom',
    reserveSlot(ctx: SlotReserveContext, abort: AbortSignal): Promise<SlotPermit> {
      if (fits(ctx.isSticky)) return Promise.resolve(take(ctx.isSticky));
      return new Promise((resolve, reject) => {
        const w: TWaiter = { sticky: ctx.isSticky, grant: resolve };
        waiting.push(w);
        abort.addEventListener(
          'abort',
          () => {
            const i = waiting.indexOf(w);
            if (i < 0) return; // granted already: the SDK releases that permit itself
            waiting.splice(i, 1);
            reject(abort.reason);
          },
          { once: true },
        );
      });
    },
    // Eager starts: a new case's first task, handed back with its start, when one may run now.
    tryReserveSlot(): SlotPermit | null {
      return fits(false) ? take(false) : null;
    },
    markSlotUsed({ permit }): void {
      const p = permit as TPermit;
      if (p.sticky) sticky--;
      else polling--;
      running++;
      p.usedAt = now();
      wake(); // a sticky poll's slot is free again
    },
    releaseSlot({ permit }): void {
      const p = permit as TPermit;
      if (p.usedAt === undefined) {
        if (p.sticky) sticky--;
        else polling--;
      } else {
        running--;
        const t = now();
        law.done(t - p.usedAt, t);
      }
      wake();
    },
    state: () => ({ running, polling, sticky, limit: law.limit(now()) }),
  };
}

/** The Worker's tuner: adaptive workflow slots (`slots`), and the SDK's fixed defaults for the other kinds of task. */
export function adaptiveTuner(
  o: AdaptiveSlotsOptions,
  otherSlots = 100,
): { tuner: WorkerTuner; slots: ReturnType<typeof adaptiveWorkflowSlots> } {
  const slots = adaptiveWorkflowSlots(o);
  const fixed = { type: 'fixed-size', numSlots: otherSlots } as const;
  return {
    slots,
    tuner: {
      workflowTaskSlotSupplier: slots,
      activityTaskSlotSupplier: fixed,
      localActivityTaskSlotSupplier: fixed,
      nexusTaskSlotSupplier: fixed,
    },
  };
}
