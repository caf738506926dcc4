/**
 * Turns a raw mail into a bounded complaint summary: parsed with mailparser from the raw Buffer (never a
 * string: that corrupts 8-bit bodies), text bounded with a visible marker, attachments as metadata only.
 * We use mailparser (maintenance mode, but stable and already a named dependency) rather than postal-mime,
 * because it handles every legacy charset through iconv-lite and gives HTML-only mails a text rendering.
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { AttachmentInfo, TLanguage } from '../workflows/case.js';

/** Longest complaint text kept in workflow history (characters). */
export const MAX_TEXT_CHARS = 16_000;
const TRUNCATION_MARKER = '\n\n[… gekürzt / truncated: the full mail stays in the mailbox]';

export interface ParsedComplaint {
  messageId?: string;
  references: string[];
  from?: { name?: string; address: string };
  subject: string;
  text: string;
  date?: Date;
  language?: TLanguage;
  attachments: AttachmentInfo[];
  headers: Map<string, unknown>;
}

export function boundText(text: string, max = MAX_TEXT_CHARS): string {
  const trimmed = text.replace(/\r\n/g, '\n').trim();
  return trimmed.length <= max ? trimmed : trimmed.slice(0, max) + TRUNCATION_MARKER;
}

function firstAddress(from: AddressObject | undefined): { name?: string; address: string } | undefined {
  const v = from?.value.find((a) => a.address);
  if (!v?.address) return undefined;
  return { address: v.address.toLowerCase(), ...(v.name ? { name: v.name } : {}) };
}

/** Language from Content-Language (RFC 3282) when it names one we speak. */
export function languageFromHeader(value: unknown): TLanguage | undefined {
  const tag = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (tag.startsWith('de')) return 'de';
  if (tag.startsWith('en')) return 'en';
  return undefined;
}

function refs(parsed: ParsedMail): string[] {
  const r = parsed.references;
  const list = Array.isArray(r) ? r : r ? [r] : [];
  return list.slice(-20);
}

export async function parseMail(raw: Buffer): Promise<ParsedComplaint> {
  const parsed = await simpleParser(raw, {
    skipTextToHtml: true,
    skipImageLinks: true,
    maxHtmlLengthToParse: 2_000_000,
  });
  // mailparser renders HTML-only mails to text itself (html-to-text), so `text` covers both.
  const text = parsed.text ?? '';
  const from = firstAddress(parsed.from);
  const language = languageFromHeader(parsed.headers.get('content-language'));
  return {
    ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
    references: refs(parsed),
    ...(from ? { from } : {}),
    subject: parsed.subject?.trim() ?? '',
    text: boundText(text),
    ...(parsed.date ? { date: parsed.date } : {}),
    ...(language ? { language } : {}),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '(unnamed)',
      contentType: a.contentType,
      size: a.size,
    })),
    headers: parsed.headers,
  };
}
