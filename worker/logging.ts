/**
 * The Temporal SDK's log lines, one JSON line each, without what must never reach a log: an activity's
 * `taskToken` is a credential (it completes the activity through the API), so it is dropped from every line.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel, type TelemetryOptions } from '@temporalio/worker';

/** Metadata keys never written to a log. */
const SECRET_KEYS = new Set(['taskToken']);

/** One line: time, level, message, and the metadata without secrets (bigint-safe). */
export function formatLogEntry(entry: LogEntry): string {
  const meta = Object.fromEntries(Object.entries(entry.meta ?? {}).filter(([k]) => !SECRET_KEYS.has(k)));
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const json = JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return `${time} [${entry.level}] ${entry.message}${json === '{}' ? '' : ` ${json}`}`;
}

/**
 * Installs the SDK's logger for this process (once, before any Worker or connection is made), with the SDK's
 * telemetry (its Prometheus exporter, worker/metrics.ts) when given.
 */
export function installLogging(
  level: LogLevel = 'INFO',
  write: (line: string) => void = (l) => console.error(l),
  telemetryOptions?: TelemetryOptions,
): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => write(formatLogEntry(entry))),
    ...(telemetryOptions ? { telemetryOptions } : {}),
  });
}
