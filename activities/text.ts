/** Plain-text helpers for mail bodies. Pure (no parser), so templates and intake share them. */

/** Longest text kept in workflow history (characters). */
export const MAX_TEXT_CHARS = 16_000;
const TRUNCATION_MARKER = '\n\n[… gekürzt / truncated: the full mail stays in the mailbox]';

export function boundText(text: string, max = MAX_TEXT_CHARS): string {
  const trimmed = text.replace(/\r\n/g, '\n').trim();
  return trimmed.length <= max ? trimmed : trimmed.slice(0, max) + TRUNCATION_MARKER;
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
