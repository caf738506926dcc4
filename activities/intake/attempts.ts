/**
 * Counting attempts at one mail (rules 1–3 in watch-mailbox.ts): the keyword that marks them, which failures
 * say nothing about the mail (Temporal unreachable), and what becomes of a failed attempt. Pure.
 */
import { boundLine } from './parse.js';

export const ATTEMPT_KEYWORD = '$NachfassAttempt';

/** Attempts marked on a mail: the highest `$NachfassAttempt<n>` among its flags. Pure. */
export function attemptsOf(flags: Iterable<string> | undefined): number {
  let most = 0;
  for (const flag of flags ?? []) {
    const n = flag.startsWith(ATTEMPT_KEYWORD) ? Number(flag.slice(ATTEMPT_KEYWORD.length)) : NaN;
    if (Number.isInteger(n) && n > most) most = n;
  }
  return most;
}

/** gRPC status codes that say the service is unreachable or overloaded, not that the request was wrong. */
const UNREACHABLE_GRPC = new Set([
  1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */,
]);
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an error says Temporal (or the network to it) is unreachable rather than anything about the mail.
 * The client wraps the gRPC error (`code` a number) in a ServiceError, so the causes are searched too. Pure.
 */
export function isUnreachableError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Object; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && UNREACHABLE_GRPC.has(code)) return true;
    if (typeof code === 'string' && UNREACHABLE_ERRNO.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export type TAttemptVerdict = 'withdraw' | 'count' | 'quarantine';

/** What becomes of a failed attempt, at the end of the pass (rule 2 and 3 of the file header). Pure. */
export function attemptVerdict(
  f: { attempt: number; unreachable: boolean; laterMailReachedTemporal: boolean },
  maxAttempts: number,
): TAttemptVerdict {
  if (f.unreachable && !f.laterMailReachedTemporal) return 'withdraw';
  return f.attempt >= maxAttempts ? 'quarantine' : 'count';
}

/** An error as one bounded log line. */
export function errorText(err: unknown): string {
  return boundLine(err instanceof Error ? `${err.name}: ${err.message}` : String(err), 500);
}
