/**
 * Per-client limits on the token routes, with @fastify/rate-limit's counters (keyed by the client address,
 * IPv6 by /64). Two budgets: requests, because every one costs a case-state query; and links that fail to
 * open, because only a prober or a broken link produces them. A sealed token cannot be guessed, so the second
 * limit is about noise and load, not about the odds of a guess.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const LINK_LIMITS = {
  /** Token-route requests per client and window: far above a person clicking, below a flood. */
  requests: { max: 120, windowMs: 60_000 },
  /** Failed links per client and window; then every token route answers 429 until the window ends. */
  failures: { max: 30, windowMs: 10 * 60_000 },
} as const;

export interface LinkGuard {
  /** onRequest hook of each token route: answers 429 (with Retry-After) when a budget is spent. */
  check(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  /** Counts one link that failed to open. */
  failed(req: FastifyRequest): Promise<void>;
}

/** Needs @fastify/rate-limit registered on `app` (with `global: false`: only these routes are limited). */
export function linkGuard(
  app: FastifyInstance,
  refuse: (reply: FastifyReply, retryAfterSeconds: number) => FastifyReply,
): LinkGuard {
  const { requests: rq, failures: fl } = LINK_LIMITS;
  const requests = app.createRateLimit({ max: rq.max, timeWindow: rq.windowMs });
  const failures = app.createRateLimit({ max: fl.max, timeWindow: fl.windowMs });
  return {
    async check(req, reply) {
      // Read, not counted: only a failure spends this budget.
      const f = await failures(req, { increment: false });
      if (!f.isAllowed && f.remaining === 0) return refuse(reply, f.ttlInSeconds);
      const r = await requests(req);
      if (!r.isAllowed && r.isExceeded) return refuse(reply, r.ttlInSeconds);
      return undefined;
    },
    async failed(req) {
      await failures(req);
    },
  };
}
