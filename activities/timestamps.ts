/** A protobuf Timestamp of Temporal's API (its seconds may be a Long) in milliseconds since the epoch. */
export type TTimestamp = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;

/** Milliseconds since the epoch, or undefined when the timestamp is not set. */
export function timestampMs(ts: TTimestamp): number | undefined {
  return ts?.seconds == null ? undefined : Number(ts.seconds.toString()) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}
