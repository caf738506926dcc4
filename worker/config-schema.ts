/**
 * The environment variables, one zod schema grouped by concern (the README's settings table lists them).
 * Empty strings count as unset (loadConfig); every value type lives in config-values.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  key32,
  KEY32_RULE,
  requiredKeys,
  ZAddressLine,
  ZDuration,
  ZFlag,
  ZKey32,
  ZLinkSecret,
  ZPort,
  ZRate,
} from './config-values.js';
import { TEMPORAL_TLS_ENV, temporalTlsRules } from './config-temporal.js';
import { cacheFitsHeap } from './heap-budget.js';

/** LOG_LEVEL's values (worker/logging.ts). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * The repository root (or the install directory: package.json beside dist/): default paths (policy, dev database)
 * are relative to it. Found upwards from this file, which lives in worker/ or, compiled, in dist/worker/.
 */
export const PROJECT_ROOT = projectRoot(path.resolve(import.meta.dirname, '..'));

function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

export const ZEnv = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('escalations'),
  TEMPORAL_DEV_DB: z.string().default(path.join(PROJECT_ROOT, '.data', 'temporal.db')),
  TEMPORAL_DEV_PORT: ZPort.default(7233),
  TEMPORAL_DEV_UI_PORT: ZPort.default(8233),
  /** TLS, mTLS and the API key towards TEMPORAL_ADDRESS (worker/config-temporal.ts). */
  ...TEMPORAL_TLS_ENV,

  IMAP_HOST: z.string(),
  IMAP_PORT: ZPort.optional(),
  IMAP_SECURE: ZFlag.default(true),
  IMAP_TLS_INSECURE: ZFlag.default(false),
  /** STARTTLS required on a plain port (refused without it); unset: required unless IMAP_HOST is loopback. */
  IMAP_REQUIRE_TLS: ZFlag.optional(),
  IMAP_USER: z.string(),
  IMAP_PASSWORD: z.string(),
  IMAP_MAILBOX: z
    .string()
    .refine((v) => v.split(',').some((f) => f.trim() !== ''), 'names no folder')
    .default('INBOX'),
  IMAP_PROCESSED_MAILBOX: z.string().default('Processed'),
  IMAP_IGNORED_MAILBOX: z.string().default('Ignored'),
  IMAP_QUARANTINE_MAILBOX: z.string().default('Quarantine'),
  /** Every automatic mail is kept here, and a retried send that finds it marked sent is skipped. */
  IMAP_SENT_MAILBOX: z.string().default('Sent'),
  /** The Sent folder as the send ledger (activities/sent-ledger.ts); off: plain at-least-once sending. */
  SEND_LEDGER: ZFlag.default(true),
  IMAP_MAX_MAIL_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  MAIL_LANGUAGE: z.enum(['de', 'en']).default('de'),

  SMTP_HOST: z.string(),
  SMTP_PORT: ZPort.optional(),
  SMTP_SECURE: ZFlag.default(false),
  SMTP_TLS_INSECURE: ZFlag.default(false),
  /** STARTTLS required on a plain port (refused without it); unset: required unless SMTP_HOST is loopback. */
  SMTP_REQUIRE_TLS: ZFlag.optional(),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SUPPORT_ADDRESS: ZAddressLine,
  /** Whoever runs Nachfass: told when mail to a staff address is refused for good. */
  ADMIN_ADDRESS: ZAddressLine.optional(),

  PUBLIC_URL: z.url().default('http://localhost:3000'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: ZPort.default(3000),
  /** Expanded into one key per job with HKDF (activities/keys.ts). */
  LINK_SECRET: ZLinkSecret,
  /** Secrets used before a rotation, comma-separated: their links and reply addresses still verify. */
  LINK_SECRET_PREVIOUS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(ZLinkSecret))
    .optional(),
  POLICY_FILE: z.string().default(path.join(PROJECT_ROOT, 'policy', 'example.yaml')),

  ACK_RATE_LIMIT: ZRate('5/1h (acknowledgments per sender per period)').default({ max: 5, windowMs: 3_600_000 }),
  /** Every automatic mail to one external address together (all kinds): over it, mail is held and recorded. */
  MAIL_BUDGET: ZRate('30/1d (automatic mails per customer address per period)').default({
    max: 30,
    windowMs: 86_400_000,
  }),
  /** All automatic acknowledgments together: a flood of mail with forged senders must not make us a spam source. */
  ACK_GLOBAL_RATE_LIMIT: ZRate('1000/1h (acknowledgments in all per period)').default({
    max: 1000,
    windowMs: 3_600_000,
  }),

  /** Seal every Temporal payload (inputs, signals, results, failures, memo) with AES-256-GCM; see worker/codec.ts. */
  PAYLOAD_ENCRYPTION: ZFlag.default(true),
  /** The payload key; required while PAYLOAD_ENCRYPTION is on (see the refinement below). */
  PAYLOAD_KEY: ZKey32.optional(),
  /** Keys payloads were sealed with before (rotation), comma-separated: read, never used to seal. */
  PAYLOAD_PREVIOUS_KEYS: z
    .string()
    .transform((v, ctx) =>
      v.split(',').map((k) => {
        const key = key32(k.trim());
        if (!key) ctx.addIssue({ code: 'custom', message: `each key ${KEY32_RULE}, comma-separated` });
        return key ?? Buffer.alloc(0);
      }),
    )
    .optional(),
  /** The Web UI's codec endpoint (decrypts for the UI): off unless a port is given. */
  CODEC_PORT: ZPort.optional(),
  CODEC_HOST: z.string().default('127.0.0.1'),
  /** The codec endpoint's credential (Bearer token, browser login); required with CODEC_PORT. */
  CODEC_AUTH_TOKEN: ZKey32.optional(),
  /** Browser origins (the Web UI) the codec endpoint answers, comma-separated. */
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://127.0.0.1:8233,http://localhost:8233')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter(Boolean),
    ),

  /** The log (worker/logging.ts): customers' addresses and subjects only at debug and trace. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  /** /metrics (Prometheus): off unless a port is given (worker/metrics.ts). */
  METRICS_PORT: ZPort.optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),

  INTAKE_HEARTBEAT_TIMEOUT: ZDuration.default(30_000),
  INTAKE_RECHECK: ZDuration.default(30_000),
  /**
   * Fast mode for a mail server next door: a NOOP this often beside IDLE (Dovecot holds IDLE notices back ~0.5 s and
   * answers a NOOP with new mail at once). Off by default: a hosted mailbox should not be asked ten times a second.
   */
  INTAKE_NOOP_EVERY: z.union([z.literal('off').transform(() => 0), ZDuration]).default(0),
  INTAKE_RUN_FOR: ZDuration.default(6 * 3_600_000),
  /** An intake with mail waiting, no pass or no IMAP session for this long is stalled (worker/intake-alarm.ts). */
  INTAKE_STALL_AFTER: ZDuration.default(5 * 60_000),
  /** Failed attempts at one mail before it goes to Quarantine (counted in IMAP keywords; see activities/intake.ts). */
  INTAKE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
  /** The LMTP listener the MTA hands support mail to directly (activities/intake/lmtp.ts): off unless a port is given. */
  INTAKE_LMTP_PORT: ZPort.optional(),
  /** How often the reconciler runs on its Temporal Schedule (activities/reconcile/), or off. */
  RECONCILE_EVERY: z.union([z.literal('off').transform(() => 0), ZDuration]).default(15 * 60_000),
  /** The window each scheduled run reconciles: mails stored (and cases started) within it. */
  RECONCILE_SINCE: ZDuration.default(7 * 86_400_000),
  INTAKE_LMTP_HOST: z.string().default('127.0.0.1'),
  /** SIGTERM to exit: intake stops at once, running activities get most of this, then the process exits (worker/main.ts). */
  SHUTDOWN_GRACE: ZDuration.default(10_000),
  /**
   * Cases the Worker keeps in memory between their tasks (the SDK's maxCachedWorkflows; its default grows with the
   * heap, about 2,300 here, and each parked case then holds memory until it ends). A case not in the cache replays
   * its history on its next task (a decision, a timer): milliseconds for a case's few dozen events. 250: since case
   * mail runs as a local activity a case's first task does all its early work, so a burst gains nothing from a
   * larger cache, and 10,000 parked cases idled at 327-375 MB with 250 against 437 MB with 500 (README "Benchmarks").
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(250),
  /**
   * The most workflow tasks the Worker runs at once. How many it runs adapts to how long they take (task-slots.ts):
   * from 1 after an idle spell up to this. A case's task includes its mail (local activities), so more of them at
   * once only share the same SMTP and IMAP servers: with fixed slots, 40 made a quarter of a burst's tasks last
   * over 1 s at no gain worth it, 12 kept most at about 0.2 s (README "Benchmarks").
   */
  WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1_000).default(12),
});

// Keys that are required only with another setting. `when` runs this even when other variables are wrong, so that
// one start-up message names every problem.
export const ZEnvWithKeys = ZEnv.superRefine(requiredKeys, { when: () => true })
  .superRefine(temporalTlsRules, { when: () => true })
  .superRefine(cacheFitsHeap);
