/**
 * The facts intake decides on, taken from a parsed mail. Raw header lines (not mailparser's structured
 * values) so that every header is a plain, unfolded string.
 */
import type { ParsedMail } from 'mailparser';

export interface MailFacts {
  /** Sender address, lower case; undefined when the mail has none. */
  from?: string;
  /** Return-Path as received; '' for the null reverse-path `<>` of bounces and auto-replies. */
  returnPath?: string;
  subject: string;
  /** Lower-case header name → unfolded raw values. */
  headers: Record<string, string[]>;
  /** Top-level media type, lower case, e.g. `multipart/report`. */
  contentType: string;
  messageId?: string;
  /** In-Reply-To and References together. */
  threadIds: string[];
  text: string;
  /** Text of delivery-status parts and returned messages/headers (bounded), where bounces name our mail. */
  reportText: string;
}

const REPORT_TYPES = ['message/delivery-status', 'message/rfc822', 'text/rfc822-headers', 'message/global-headers'];
const MAX_REPORT_CHARS = 64 * 1024;

function ids(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
}

export function mailFacts(parsed: ParsedMail): MailFacts {
  const headers: Record<string, string[]> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    (headers[key.toLowerCase()] ??= []).push(value);
  }
  const from = parsed.from?.value.find((a) => a.address)?.address?.toLowerCase();
  const rp = headers['return-path']?.[0];
  const reportText = parsed.attachments
    .filter((a) => REPORT_TYPES.includes(a.contentType.toLowerCase()))
    .map((a) => a.content.toString('utf8'))
    .join('\n')
    .slice(0, MAX_REPORT_CHARS);
  return {
    ...(from ? { from } : {}),
    ...(rp !== undefined ? { returnPath: rp.replace(/[<>\s]/g, '') } : {}),
    subject: parsed.subject ?? '',
    headers,
    contentType: (headers['content-type']?.[0] ?? 'text/plain').split(';')[0]!.trim().toLowerCase(),
    ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
    threadIds: [...ids(parsed.inReplyTo), ...ids(parsed.references)],
    text: parsed.text ?? '',
    reportText,
  };
}
