/**
 * From raw mail to bounded summaries. Parsed with mailparser from the raw Buffer (never a string: that
 * corrupts 8-bit bodies). We use mailparser (maintenance mode, but stable and a named dependency) rather
 * than postal-mime, because it decodes every legacy charset through iconv-lite and renders HTML-only
 * mails to text itself (html-to-text).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AttachmentInfo } from '../workflows/case.js';

/** Longest text kept in workflow history (characters). */
export const MAX_TEXT_CHARS = 16_000;
const TRUNCATION_MARKER = '\n\n[… gekürzt / truncated: the full mail stays in the mailbox]';

export interface ParsedComplaint {
  messageId?: string;
  references: string[];
  from?: { name?: string; address: string };
  subject: string;
  text: string;
  date?: Date;
  contentLanguage?: string;
  attachments: AttachmentInfo[];
}

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

export function parseRaw(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
}

function refs(parsed: ParsedMail): string[] {
  const r = parsed.references;
  const list = Array.isArray(r) ? r : r ? [r] : [];
  return list.slice(-20);
}

export function summarize(parsed: ParsedMail): ParsedComplaint {
  const v = parsed.from?.value.find((a) => a.address);
  const from = v?.address ? { address: v.address.toLowerCase(), ...(v.name ? { name: v.name } : {}) } : undefined;
  const contentLanguage = parsed.headers.get('content-language');
  return {
    ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
    references: refs(parsed),
    ...(from ? { from } : {}),
    subject: parsed.subject?.trim() ?? '',
    // mailparser renders HTML-only mails to text itself, so `text` covers both.
    text: boundText(parsed.text ?? ''),
    ...(parsed.date ? { date: parsed.date } : {}),
    ...(typeof contentLanguage === 'string' ? { contentLanguage } : {}),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '(unnamed)',
      contentType: a.contentType,
      size: a.size,
    })),
  };
}
