/**
 * A mail to ADMIN_ADDRESS from one of the alarms (a refused staff address, a stalled intake, the reconciler's
 * problems): plain text, the same text preformatted as HTML, marked automatic, never a case mail (its envelope id
 * is its kind, so a bounce of it counts against no case).
 */
import { domainOf } from './address.js';
import type { OutgoingMail } from './mail.js';

const escapeHtml = (t: string): string => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface AdminMail {
  supportAddress: string;
  adminAddress: string;
  /** `X-Nachfass-Kind` and the envelope id, e.g. `admin-alarm`, `intake-alarm`. */
  kind: string;
  subject: string;
  text: string;
  /** The Message-ID's local part (our domain is added). */
  id: string;
  /** Extra headers, e.g. `X-Nachfass-Case`. */
  headers?: Record<string, string>;
}

export function adminMail(m: AdminMail): OutgoingMail {
  return {
    from: m.supportAddress,
    to: m.adminAddress,
    subject: m.subject,
    text: m.text,
    html: `<pre>${escapeHtml(m.text)}</pre>`,
    messageId: `<${m.id}@${domainOf(m.supportAddress)}>`,
    headers: { 'Auto-Submitted': 'auto-generated', ...m.headers, 'X-Nachfass-Kind': m.kind },
    envelopeId: m.kind,
  };
}
