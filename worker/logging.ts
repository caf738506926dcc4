/**
 * The process's log: pino, one JSON line per event on stdout (LOG_FORMAT=text: one readable line, for the demo),
 * at LOG_LEVEL. The Temporal SDK's log lines (worker, activities, workflows, and the native core's, forwarded)
 * go through the same logger (`Runtime.install({ logger })`). What must never reach a log is taken out of every line:
 *  - an activity's `taskToken` is a credential (it completes the activity through the API): always dropped;
 *  - customers' addresses and mail subjects appear only at `debug` and `trace`: above, every address that is not
 *    one of ours (the support mailbox, ADMIN_ADDRESS, the policy's staff) is written `<address>`, and `subject`
 *    fields are dropped.
 */
import { Runtime, type LogLevel, type LogMetadata, type Logger, type TelemetryOptions } from '@temporalio/worker';
import { pino, type Logger as Pino } from 'pino';
import type { LOG_LEVELS } from './config-schema.js';

export type TLogLevel = (typeof LOG_LEVELS)[number];

export interface LogOptions {
  level: TLogLevel;
  format: 'json' | 'text';
  /** Addresses that may appear at every level (ours and the staff's); every other one only at debug. */
  ourAddresses: string[];
}

/** Metadata keys never written to a log. */
const SECRET_KEYS = new Set(['taskToken']);
/** Metadata keys with a customer's words: written at debug and trace only. */
const CUSTOMER_KEYS = new Set(['subject']);
const ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** `value` as it may be logged: secrets dropped, and below debug, customers' addresses and subjects hidden. */
export function scrub(value: unknown, o: Pick<LogOptions, 'level' | 'ourAddresses'>): unknown {
  const detailed = o.level === 'debug' || o.level === 'trace';
  const ours = o.ourAddresses.map((a) => a.toLowerCase());
  // Kept when it is, or contains, one of ours: a workflow id such as intake-support@example.test-INBOX matches too.
  const isOurs = (a: string): boolean => ours.some((x) => a.toLowerCase().includes(x));
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return detailed ? v : v.replace(ADDRESS, (a) => (isOurs(a) ? a : '<address>'));
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: walk(v.message, depth + 1) };
    if (v === null || typeof v !== 'object' || depth > 6) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !SECRET_KEYS.has(k) && (detailed || !CUSTOMER_KEYS.has(k)))
        .map(([k, x]) => [k, walk(x, depth + 1)]),
    );
  };
  return walk(value, 0);
}

/** The log settings of this process: LOG_LEVEL, LOG_FORMAT, and our addresses (support, admin, the policy's staff). */
export function logOptionsFor(
  config: {
    log: { level: TLogLevel; format: 'json' | 'text' };
    supportAddress: string;
    adminAddress?: string;
    mailbox: { user: string };
  },
  policy: unknown,
): LogOptions {
  const text = [config.supportAddress, config.adminAddress ?? '', config.mailbox.user, JSON.stringify(policy)].join(
    ' ',
  );
  return { ...config.log, ourAddresses: [...new Set(text.match(ADDRESS) ?? [])] };
}

/** One readable line from one of pino's JSON lines: time, level, message, the rest as JSON. */
export function textLine(json: string): string {
  const { time, level, msg, ...rest } = JSON.parse(json) as Record<string, unknown>;
  delete rest.pid;
  delete rest.hostname;
  const tail = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${String(time)} [${String(level).toUpperCase()}] ${String(msg)}${tail}\n`;
}

/** The pino logger; `write` receives each finished line (default: stdout, synchronously). */
export function createLogger(o: LogOptions, write?: (line: string) => void): Pino {
  const sink = write ?? ((line: string) => process.stdout.write(line));
  return pino(
    {
      level: o.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => sink(o.format === 'text' ? textLine(line) : line) },
  );
}

/** The SDK's Logger interface on pino, scrubbing every line. */
export class SdkLogger implements Logger {
  constructor(
    private readonly p: Pino,
    private readonly o: LogOptions,
  ) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // Before the scrub: the SDK asks for a line per activity and workflow task at DEBUG, mostly below the level.
    if (!this.p.isLevelEnabled(level.toLowerCase())) return;
    const fields = (scrub(meta ?? {}, this.o) ?? {}) as Record<string, unknown>;
    this.p[level.toLowerCase() as TLogLevel](fields, scrub(message, this.o) as string);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Installs the log for this process (once, before any Worker or connection is made): the SDK's logger and the
 * native core's forwarded logs on pino, with the SDK's telemetry (its Prometheus exporter, worker/metrics.ts) when
 * given. Returns the app's line logger (`startApp`'s `log`): lines starting with "error" are errors.
 */
export function installLogging(o: LogOptions, telemetry?: TelemetryOptions): (line: string) => void {
  const p = createLogger(o);
  Runtime.install({
    logger: new SdkLogger(p, o),
    telemetryOptions: { ...telemetry, logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
  });
  return (line) => {
    const text = scrub(line, o) as string;
    if (/^error\b/i.test(line)) p.error(text);
    else p.info(text);
  };
}
