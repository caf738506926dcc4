/** Plain-text helpers for mail bodies. Pure (no parser), so templates and intake share them. */

/** Longest text kept in workflow history (characters). */
export const MAX_TEXT_CHARS = 16_000;
const TRUNCATION_MARKER = '\n\n[… gekürzt / truncated: the full mail stays in the mailbox]';

export function boundText(text: string, max = MAX_TEXT_CHARS): string {
  const trimmed = text.replace(/\r\n?/g, '\n').trim();
  return trimmed.length <= max ? trimmed : cutAt(trimmed, max) + TRUNCATION_MARKER;
}

/** Marks a one-line field (subject, name, file name) that was cut: short, and the same in both languages. */
export const LINE_TRUNCATION_MARKER = ' […]';

/**
 * Line breaks, tabs and other control characters (C0, DEL, C1, U+2028/U+2029). Any of them in a subject or
 * display name could end a header line of ours (header injection, RFC 5322 §2.2) or garble a log line.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A single-line field bounded to `max` characters (marker included): control characters become one space,
 * surrounding space is trimmed, and a cut is marked with `LINE_TRUNCATION_MARKER`.
 */
export function boundLine(value: string, max: number): string {
  const line = value.replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
  if (line.length <= max) return line;
  return cutAt(line, Math.max(0, max - LINE_TRUNCATION_MARKER.length)).trimEnd() + LINE_TRUNCATION_MARKER;
}

/** The first `n` UTF-16 units, without splitting a surrogate pair (half an emoji is invalid UTF-8 later). */
function cutAt(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

const QUOTE_HEADER =
  /^(?:(?:Am|On) .{4,120}(?:schrieb|wrote)[^:\n]*:|-{2,} ?(?:Original(?:nachricht| Message)|Ursprüngliche Nachricht) ?-{2,}|_{10,})\s*$/im;

/**
 * The new part of a reply: quoted history ("Am … schrieb …:", "-----Original Message-----", `>` lines)
 * and the signature (after "-- ") cut off. The full text stays in the mailbox.
 */
export function trimReply(text: string): string {
  let body = text.replace(/\r\n/g, '\n');
  const header = body.match(QUOTE_HEADER);
  if (header?.index !== undefined) body = body.slice(0, header.index);
  const sig = body.search(/^-- ?$/m);
  if (sig >= 0) body = body.slice(0, sig);
  const kept = body.split('\n').filter((line) => !line.startsWith('>'));
  const trimmed = kept.join('\n').trim();
  return trimmed || text.trim();
}
