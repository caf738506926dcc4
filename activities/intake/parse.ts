/**
 * From raw mail to bounded summaries. Parsed with mailparser from the raw Buffer (never a string: that
 * corrupts 8-bit bodies). We use mailparser (maintenance mode, but stable and a named dependency) rather
 * than postal-mime, because it decodes every legacy charset through iconv-lite and renders HTML-only
 * mails to text itself (html-to-text).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AttachmentInfo } from '../../workflows/case.js';
import { boundLine, boundText } from '../text.js';

export { boundLine, boundText, MAX_TEXT_CHARS, trimReply } from '../text.js';

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

export function parseRaw(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
}

/**
 * Bounds of every field that enters a workflow input or signal. The poison mail (900 attachments
 * with 3,000-character names) made a 2.7 MB summary; bounded, its whole workflow input is about 15 KB.
 */
export const BOUNDS = {
  subjectChars: 500,
  nameChars: 120,
  filenameChars: 180,
  contentTypeChars: 100,
  /** Attachments listed one by one; the rest become one summary entry. */
  attachmentsListed: 50,
  references: 20,
  /** Longest Message-ID kept (RFC 5322 allows 998 per line; real ones are under 100). */
  idChars: 250,
  /** RFC 5321 §4.5.3.1.3: a path (address with brackets) is at most 256 octets. */
  addressChars: 254,
} as const;

// eslint-disable-next-line no-control-regex -- an id or address with a control character or space is hostile
const UNSAFE_TOKEN = /[\s\u0000-\u001f\u007f<>]/;

/** A Message-ID we can safely put into our own In-Reply-To/References, or undefined. */
function safeId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const bare = id.trim().replace(/^<|>$/g, '');
  if (!bare || bare.length > BOUNDS.idChars || UNSAFE_TOKEN.test(bare)) return undefined;
  return id.trim().startsWith('<') ? `<${bare}>` : bare;
}

/**
 * The first reference (the thread's root) and the latest ones, as RFC 5322 §3.6.4 advises when trimming.
 * Kept deliberately without a truncation marker: the list goes into our outgoing References header, where a
 * marker would be a bogus Message-ID. Unsafe or overlong ids are dropped, not cut (a cut id matches nothing).
 */
function refs(parsed: ParsedMail): string[] {
  const r = parsed.references;
  const list = (Array.isArray(r) ? r : r ? [r] : []).map(safeId).filter((id): id is string => id !== undefined);
  if (list.length <= BOUNDS.references) return list;
  return [list[0]!, ...list.slice(-(BOUNDS.references - 1))];
}

/** The attachment list, each name bounded, at most `attachmentsListed` entries plus one for the rest. */
export function boundAttachments(list: readonly AttachmentInfo[]): AttachmentInfo[] {
  const shown = list.slice(0, BOUNDS.attachmentsListed).map((a) => ({
    filename: boundLine(a.filename, BOUNDS.filenameChars) || '(unnamed)',
    contentType: boundLine(a.contentType, BOUNDS.contentTypeChars),
    size: a.size,
  }));
  const rest = list.slice(BOUNDS.attachmentsListed);
  if (!rest.length) return shown;
  return [
    ...shown,
    {
      filename: `[… ${rest.length} more attachments not listed; the mail in the mailbox has them all]`,
      contentType: 'multipart/mixed',
      size: rest.reduce((sum, a) => sum + a.size, 0),
    },
  ];
}

/** The sender, or undefined when the address is missing or unsafe to answer (then the mail is quarantined). */
function sender(parsed: ParsedMail): ParsedComplaint['from'] {
  const v = parsed.from?.value.find((a) => a.address);
  const address = v?.address?.trim().toLowerCase();
  if (!v || !address || address.length > BOUNDS.addressChars || UNSAFE_TOKEN.test(address)) return undefined;
  const name = v.name ? boundLine(v.name, BOUNDS.nameChars) : '';
  return { address, ...(name ? { name } : {}) };
}

/** The bounded summary of a mail: what a workflow input or signal may carry. Pure. */
export function summarize(parsed: ParsedMail): ParsedComplaint {
  const from = sender(parsed);
  const messageId = safeId(parsed.messageId);
  const contentLanguage = parsed.headers.get('content-language');
  return {
    ...(messageId ? { messageId } : {}),
    references: refs(parsed),
    ...(from ? { from } : {}),
    subject: boundLine(parsed.subject ?? '', BOUNDS.subjectChars),
    // mailparser renders HTML-only mails to text itself, so `text` covers both.
    text: boundText(parsed.text ?? ''),
    ...(parsed.date && !Number.isNaN(parsed.date.getTime()) ? { date: parsed.date } : {}),
    ...(typeof contentLanguage === 'string' ? { contentLanguage: contentLanguage.slice(0, 64) } : {}),
    attachments: boundAttachments(
      parsed.attachments.map((a) => ({
        filename: a.filename ?? '(unnamed)',
        contentType: a.contentType,
        size: a.size,
      })),
    ),
  };
}
