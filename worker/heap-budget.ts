/**
 * Whether the workflow cache fits the V8 heap. `npm start` runs the worker with `--max-old-space-size=256` (each
 * thread's old generation; the SDK's workflow thread inherits the flag), which keeps an idle worker's memory near
 * what it really uses instead of the heap V8 grows to on a large machine. A cache larger than that heap holds would
 * end the process with an out-of-memory crash in the middle of a busy hour, so start-up refuses it instead.
 * Measured here with 1,000 and 2,000 parked cases (drained as bench/backlog.ts does, read with V8's --trace-gc):
 * the workflow thread holds about 22 MB of its own and about 0.11 MB per cached case; the budget below counts
 * twice that per case, for cases with longer stories.
 */
import { getHeapStatistics } from 'node:v8';
import type { z } from 'zod';

const BASE_MB = 64;
const PER_CASE_MB = 0.2;

/** The heap `cached` cases need at most, in MB (the estimate above). */
export function heapNeededMb(cached: number): number {
  return Math.ceil(BASE_MB + cached * PER_CASE_MB);
}

/** The refusal for a cache of `cached` cases in a heap of `limitMb`, or undefined when it fits. */
export function cacheTooLarge(cached: number, limitMb: number): string | undefined {
  const need = heapNeededMb(cached);
  if (need <= limitMb) return undefined;
  return (
    `${cached} cached cases need about ${need} MB of heap, and this process has ${Math.floor(limitMb)} MB ` +
    `(node --max-old-space-size, which npm start sets to 256): lower WORKER_MAX_CACHED_WORKFLOWS ` +
    `(at most ${Math.floor((limitMb - BASE_MB) / PER_CASE_MB)} here) or start node with a larger --max-old-space-size`
  );
}

/** The zod rule: WORKER_MAX_CACHED_WORKFLOWS within this process's heap limit (checked once the value itself is valid). */
export function cacheFitsHeap(e: { WORKER_MAX_CACHED_WORKFLOWS: number }, ctx: z.RefinementCtx): void {
  const message = cacheTooLarge(e.WORKER_MAX_CACHED_WORKFLOWS, getHeapStatistics().heap_size_limit / 2 ** 20);
  if (message) ctx.addIssue({ code: 'custom', path: ['WORKER_MAX_CACHED_WORKFLOWS'], message });
}
