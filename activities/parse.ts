/**
 * From raw mail to bounded summaries. Parsed with mailparser from the raw Buffer (never a string: that
 * corrupts 8-bit bodies). We use mailparser (maintenance mode, but stable and a named dependency) rather
 * than postal-mime, because it decodes every legacy charset through iconv-lite and renders HTML-only
 * mails to text itself (html-to-text).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AttachmentInfo } from '../workflows/case.js';
import { boundText } from './text.js';

export { boundText, MAX_TEXT_CHARS, trimReply } from './text.js';

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
