/**
 * Configuration from the environment, validated once with zod. Empty strings count as unset; every
 * problem is reported at once, naming the variable; start-up stops on any. Injectable: `loadConfig(env)`.
 */
import type { z } from 'zod';
import { isLoopback } from './config-values.js';
import { ZEnvWithKeys } from './config-schema.js';
import { temporalSecurity, type TemporalSecurity } from './config-temporal.js';
import type { MailboxAccount } from '../activities/intake/mailbox.js';
import type { TLanguage } from '../workflows/case.js';
import type { TLogLevel } from './logging.js';

export { PROJECT_ROOT, ZEnv } from './config-schema.js';

export interface TConfig {
  temporal: {
    /** Undefined: start the embedded dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    dev: { dbFile: string; port: number; uiPort: number };
  } & TemporalSecurity;
  /** The IMAP account and every folder watched in it (each gets its own intake, activities/intake/). */
  mailbox: MailboxAccount & {
    /** Every watched folder (IMAP_MAILBOX, comma-separated). */
    folders: string[];
    sentFolder: string;
    /** Default language of the account (MAIL_LANGUAGE); the policy's `mailboxes` may set one per folder. */
    language: TLanguage;
  };
  /** Whether the Sent folder is the send ledger. */
  sendLedger: boolean;
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    tlsInsecure: boolean;
    /** Refuse to send over a plain-text session: a downgrade would expose the password and every link. */
    requireTLS: boolean;
    user?: string;
    password?: string;
  };
  supportAddress: string;
  adminAddress?: string;
  http: { host: string; port: number; publicUrl: string };
  linkSecret: string;
  /** LINK_SECRET_PREVIOUS: still verified, never used to sign. */
  previousLinkSecrets: string[];
  policyFile: string;
  intake: {
    heartbeatTimeout: number;
    recheck: number;
    /** INTAKE_NOOP_EVERY (fast mode), ms; 0 is off. */
    noopEvery: number;
    runFor: number;
    maxAttempts: number;
    stallAfter: number;
  };
  /** The reconciler's schedule (ms; every 0: off) and window. */
  reconcile: { every: number; since: number };
  /** The LMTP intake, when INTAKE_LMTP_PORT is set. */
  lmtp?: { host: string; port: number };
  /** At most `max` automatic acknowledgments per sender within `windowMs`. */
  ackRateLimit: { max: number; windowMs: number };
  /** At most `max` automatic mails to one customer address within `windowMs`, of every kind together. */
  mailBudget: { max: number; windowMs: number };
  /** At most `max` automatic acknowledgments in all within `windowMs`. */
  ackGlobalRateLimit: { max: number; windowMs: number };
  /** Payload encryption: the key new payloads are sealed with, and those of earlier rotations (read only). */
  payload: { encryption: false } | { encryption: true; key: Buffer; previousKeys: Buffer[] };
  /** The Web UI's codec endpoint, when CODEC_PORT is set; `token` is its credential (CODEC_AUTH_TOKEN). */
  codec?: { host: string; port: number; origins: string[]; token: Buffer };
  log: { level: TLogLevel; format: 'json' | 'text' };
  /** /metrics, when METRICS_PORT is set. */
  metrics?: { host: string; port: number };
  /** WORKER_MAX_CACHED_WORKFLOWS: cases kept in the Worker's memory between tasks. */
  maxCachedWorkflows: number;
  /** WORKER_MAX_WORKFLOW_TASKS: workflow tasks run at once. */
  maxWorkflowTasks: number;
  /** SHUTDOWN_GRACE (ms): from SIGTERM to the process's exit at the latest. */
  shutdownGrace: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type TEnv = z.output<typeof ZEnvWithKeys>;

/** The environment validated; empty counts as unset. Throws ConfigError naming every bad variable. */
function parseEnv(env: Record<string, string | undefined>): TEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = ZEnvWithKeys.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '?');
    // A rule of ours (code "custom") says more than "missing", e.g. how to make the key it needs.
    const missing = cleaned[name] === undefined;
    return `  ${name}: ${missing && i.code !== 'custom' ? 'missing (required)' : i.message}`;
  });
  throw new ConfigError(`Invalid configuration, start-up stopped:\n${lines.join('\n')}`);
}

/** The IMAP account with its watched folders, and the SMTP server. */
function mailServers(e: TEnv): Pick<TConfig, 'mailbox' | 'smtp'> {
  const folders = [
    ...new Set(
      e.IMAP_MAILBOX.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
  ];
  return {
    mailbox: {
      host: e.IMAP_HOST,
      port: e.IMAP_PORT ?? (e.IMAP_SECURE ? 993 : 143),
      secure: e.IMAP_SECURE,
      tlsInsecure: e.IMAP_TLS_INSECURE,
      requireTLS: e.IMAP_REQUIRE_TLS ?? !isLoopback(e.IMAP_HOST),
      user: e.IMAP_USER,
      password: e.IMAP_PASSWORD,
      folders,
      processedFolder: e.IMAP_PROCESSED_MAILBOX,
      ignoredFolder: e.IMAP_IGNORED_MAILBOX,
      quarantineFolder: e.IMAP_QUARANTINE_MAILBOX,
      sentFolder: e.IMAP_SENT_MAILBOX,
      maxMailBytes: e.IMAP_MAX_MAIL_BYTES,
      language: e.MAIL_LANGUAGE,
    },
    smtp: {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT ?? (e.SMTP_SECURE ? 465 : 587),
      secure: e.SMTP_SECURE,
      tlsInsecure: e.SMTP_TLS_INSECURE,
      requireTLS: e.SMTP_REQUIRE_TLS ?? !isLoopback(e.SMTP_HOST),
      ...(e.SMTP_USER ? { user: e.SMTP_USER } : {}),
      ...(e.SMTP_PASSWORD ? { password: e.SMTP_PASSWORD } : {}),
    },
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): TConfig {
  const e = parseEnv(env);
  return {
    temporal: {
      ...(e.TEMPORAL_ADDRESS ? { address: e.TEMPORAL_ADDRESS } : {}),
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      dev: { dbFile: e.TEMPORAL_DEV_DB, port: e.TEMPORAL_DEV_PORT, uiPort: e.TEMPORAL_DEV_UI_PORT },
      ...temporalSecurity(e),
    },
    ...mailServers(e),
    sendLedger: e.SEND_LEDGER,
    supportAddress: e.SUPPORT_ADDRESS.trim(),
    ...(e.ADMIN_ADDRESS ? { adminAddress: e.ADMIN_ADDRESS.trim() } : {}),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, publicUrl: e.PUBLIC_URL },
    linkSecret: e.LINK_SECRET,
    previousLinkSecrets: e.LINK_SECRET_PREVIOUS ?? [],
    policyFile: e.POLICY_FILE,
    intake: {
      heartbeatTimeout: e.INTAKE_HEARTBEAT_TIMEOUT,
      recheck: e.INTAKE_RECHECK,
      noopEvery: e.INTAKE_NOOP_EVERY,
      runFor: e.INTAKE_RUN_FOR,
      stallAfter: e.INTAKE_STALL_AFTER,
      maxAttempts: e.INTAKE_MAX_ATTEMPTS,
    },
    reconcile: { every: e.RECONCILE_EVERY, since: e.RECONCILE_SINCE },
    ackRateLimit: e.ACK_RATE_LIMIT,
    ackGlobalRateLimit: e.ACK_GLOBAL_RATE_LIMIT,
    mailBudget: e.MAIL_BUDGET,
    // The refinement (requiredKeys) made sure both keys are there when they are needed.
    payload: e.PAYLOAD_ENCRYPTION
      ? { encryption: true, key: e.PAYLOAD_KEY!, previousKeys: e.PAYLOAD_PREVIOUS_KEYS ?? [] }
      : { encryption: false },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    shutdownGrace: e.SHUTDOWN_GRACE,
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    maxWorkflowTasks: e.WORKER_MAX_WORKFLOW_TASKS,
    ...(e.METRICS_PORT !== undefined ? { metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT } } : {}),
    ...(e.INTAKE_LMTP_PORT !== undefined ? { lmtp: { host: e.INTAKE_LMTP_HOST, port: e.INTAKE_LMTP_PORT } } : {}),
    ...(e.CODEC_PORT !== undefined
      ? { codec: { host: e.CODEC_HOST, port: e.CODEC_PORT, origins: e.CODEC_CORS_ORIGINS, token: e.CODEC_AUTH_TOKEN! } }
      : {}),
  };
}
