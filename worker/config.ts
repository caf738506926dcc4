/**
 * Configuration from the environment, validated once with zod. Empty strings count as unset; every
 * problem is reported at once, naming the variable; start-up stops on any. Injectable: `loadConfig(env)`.
 */
import path from 'node:path';
import ms from 'ms';
import { z } from 'zod';
import type { MailboxAccount } from '../activities/intake/mailbox.js';
import type { TLanguage } from '../workflows/case.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** A duration like "30s", "4h", "3d" (ms syntax), as milliseconds. */
export const ZDuration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration like 30s, 4h or 3d` });
    return z.NEVER;
  }
  return parsed;
});

const ZPort = z.coerce.number().int().min(0).max(65535);
const ZFlag = z.stringbool();
const ZAddressLine = z.string().refine((v) => /^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(v.trim()), {
  message: 'must be an address like "Kundenservice <support@example.test>"',
});

const KEY32_RULE = 'must be 32 random bytes written as 64 hex digits or 44 base64 characters (openssl rand -hex 32)';

/** 32 bytes from 64 hex digits or 44 base64 characters; undefined for anything else. */
export function key32(s: string): Buffer | undefined {
  const bytes = /^[0-9a-fA-F]{64}$/.test(s)
    ? Buffer.from(s, 'hex')
    : /^[A-Za-z0-9+/]{43}=$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s
      ? Buffer.from(s, 'base64')
      : undefined;
  // 32 random bytes have about 30 distinct values (fewer than 16: p < 1e-12); a key typed by hand such as
  // "aaaa…" or a repeated "0123456789abcdef" has far fewer. Refused, as it was never random.
  return bytes && new Set(bytes).size >= 16 ? bytes : undefined;
}

const ZKey32 = z.string().transform((v, ctx) => {
  const key = key32(v.trim());
  if (!key) {
    ctx.addIssue({ code: 'custom', message: KEY32_RULE });
    return z.NEVER;
  }
  return key;
});

/** PAYLOAD_KEY while encryption is on, CODEC_AUTH_TOKEN with a codec endpoint: never derived, never defaulted. */
function requiredKeys(
  e: { PAYLOAD_ENCRYPTION?: boolean; PAYLOAD_KEY?: Buffer; CODEC_PORT?: number; CODEC_AUTH_TOKEN?: Buffer },
  ctx: z.RefinementCtx,
): void {
  if (e.PAYLOAD_ENCRYPTION !== false && e.PAYLOAD_KEY === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['PAYLOAD_KEY'],
      message: `required while PAYLOAD_ENCRYPTION is on; ${KEY32_RULE}`,
    });
  if (e.CODEC_PORT !== undefined && e.CODEC_AUTH_TOKEN === undefined)
    ctx.addIssue({ code: 'custom', path: ['CODEC_AUTH_TOKEN'], message: `required with CODEC_PORT; ${KEY32_RULE}` });
}

/** "N/period", e.g. 5/1h: at most N within the period. */
function ZRate(example: string) {
  return z
    .string()
    .regex(/^\d+\/\S+$/, `must look like ${example}`)
    .transform((v, ctx) => {
      const [max, period] = v.split('/') as [string, string];
      const windowMs = ZDuration.safeParse(period);
      if (!windowMs.success) {
        ctx.addIssue({ code: 'custom', message: `"${period}" is not a duration like 1h` });
        return z.NEVER;
      }
      return { max: Number(max), windowMs: windowMs.data };
    });
}

/** At least 32 random bytes, written as hex (64+ digits) or base64 (44+ characters), e.g. `openssl rand -hex 32`. */
const ZLinkSecret = z
  .string()
  .refine(
    (s) =>
      /^(?:[0-9a-fA-F]{2}){32,}$/.test(s) ||
      (/^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(s) && Buffer.from(s, 'base64').length >= 32),
    'must be at least 32 bytes, random, written as hex or base64 (openssl rand -hex 32)',
  );

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

  INTAKE_HEARTBEAT_TIMEOUT: ZDuration.default(30_000),
  INTAKE_RECHECK: ZDuration.default(30_000),
  INTAKE_RUN_FOR: ZDuration.default(6 * 3_600_000),
  /** Failed attempts at one mail before it goes to Quarantine (counted in IMAP keywords; see activities/intake.ts). */
  INTAKE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
});

// Keys that are required only with another setting. `when` runs this even when other variables are wrong, so that
// one start-up message names every problem.
const ZEnvWithKeys = ZEnv.superRefine(requiredKeys, { when: () => true });

export interface TConfig {
  temporal: {
    /** Undefined: start the embedded dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    dev: { dbFile: string; port: number; uiPort: number };
  };
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
  intake: { heartbeatTimeout: number; recheck: number; runFor: number; maxAttempts: number };
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
}

/** A host on this machine's loopback, where plain text does not cross a network. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): TConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = ZEnvWithKeys.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      // A rule of ours (code "custom") says more than "missing", e.g. how to make the key it needs.
      const missing = cleaned[name] === undefined;
      return `  ${name}: ${missing && i.code !== 'custom' ? 'missing (required)' : i.message}`;
    });
    throw new ConfigError(`Invalid configuration, start-up stopped:\n${lines.join('\n')}`);
  }
  const e = result.data;
  const folders = [
    ...new Set(
      e.IMAP_MAILBOX.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
  ];
  return {
    temporal: {
      ...(e.TEMPORAL_ADDRESS ? { address: e.TEMPORAL_ADDRESS } : {}),
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      dev: { dbFile: e.TEMPORAL_DEV_DB, port: e.TEMPORAL_DEV_PORT, uiPort: e.TEMPORAL_DEV_UI_PORT },
    },
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
    sendLedger: e.SEND_LEDGER,
    smtp: {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT ?? (e.SMTP_SECURE ? 465 : 587),
      secure: e.SMTP_SECURE,
      tlsInsecure: e.SMTP_TLS_INSECURE,
      requireTLS: e.SMTP_REQUIRE_TLS ?? !isLoopback(e.SMTP_HOST),
      ...(e.SMTP_USER ? { user: e.SMTP_USER } : {}),
      ...(e.SMTP_PASSWORD ? { password: e.SMTP_PASSWORD } : {}),
    },
    supportAddress: e.SUPPORT_ADDRESS.trim(),
    ...(e.ADMIN_ADDRESS ? { adminAddress: e.ADMIN_ADDRESS.trim() } : {}),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, publicUrl: e.PUBLIC_URL },
    linkSecret: e.LINK_SECRET,
    previousLinkSecrets: e.LINK_SECRET_PREVIOUS ?? [],
    policyFile: e.POLICY_FILE,
    intake: {
      heartbeatTimeout: e.INTAKE_HEARTBEAT_TIMEOUT,
      recheck: e.INTAKE_RECHECK,
      runFor: e.INTAKE_RUN_FOR,
      maxAttempts: e.INTAKE_MAX_ATTEMPTS,
    },
    ackRateLimit: e.ACK_RATE_LIMIT,
    ackGlobalRateLimit: e.ACK_GLOBAL_RATE_LIMIT,
    mailBudget: e.MAIL_BUDGET,
    // The refinement (requiredKeys) made sure both keys are there when they are needed.
    payload: e.PAYLOAD_ENCRYPTION
      ? { encryption: true, key: e.PAYLOAD_KEY!, previousKeys: e.PAYLOAD_PREVIOUS_KEYS ?? [] }
      : { encryption: false },
    ...(e.CODEC_PORT !== undefined
      ? { codec: { host: e.CODEC_HOST, port: e.CODEC_PORT, origins: e.CODEC_CORS_ORIGINS, token: e.CODEC_AUTH_TOKEN! } }
      : {}),
  };
}
