/**
 * The one layout every mail shares: greeting, paragraphs, an optional action button, sign-off and the
 * company footer. Text and HTML parts come from the same source.
 */
import type { PolicySnapshot, TLanguage } from '../workflows/case.js';
import { html, paragraphs } from './html.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailBody {
  language: TLanguage;
  greeting: string;
  paragraphs: string[];
  /** A quoted block, e.g. the customer's complaint in a mail to staff. */
  quote?: { label: string; text: string };
  action?: { label: string; url: string };
  company: PolicySnapshot['company'];
}

function footerLines(b: MailBody): string[] {
  const c = b.company;
  const hours = b.language === 'de' ? `Erreichbar: ${c.hours}` : `Opening hours: ${c.hours}`;
  return [c.name, c.address, `${b.language === 'de' ? 'Telefon' : 'Phone'}: ${c.phone}`, hours];
}

function signOff(b: MailBody): string {
  return b.language === 'de'
    ? `Freundliche Grüße\nIhr Kundenservice der ${b.company.name}`
    : `Kind regards\nCustomer Service, ${b.company.name}`;
}

/** The button of every staff mail that leads to the decision page. */
export function decideAction(language: TLanguage, url: string): { label: string; url: string } {
  return { label: language === 'de' ? 'Fall prüfen und entscheiden' : 'Review and decide', url };
}

export function renderMail(subject: string, b: MailBody): RenderedMail {
  const quoteText = b.quote
    ? `${b.quote.label}\n${b.quote.text
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')}`
    : undefined;
  const text = [
    b.greeting,
    ...b.paragraphs,
    ...(quoteText ? [quoteText] : []),
    ...(b.action ? [`${b.action.label}:\n${b.action.url}`] : []),
    signOff(b),
    `-- \n${footerLines(b).join('\n')}`,
  ].join('\n\n');

  const body = html`<!doctype html>
    <html lang="${b.language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;">
          <tr>
            <td align="center" style="padding:24px 12px;">
              <table
                role="presentation"
                width="600"
                cellpadding="0"
                cellspacing="0"
                style="max-width:600px;width:100%;background:#ffffff;border-radius:6px;"
              >
                <tr>
                  <td style="padding:24px 28px;font-size:15px;line-height:1.5;">
                    <p>${b.greeting}</p>
                    ${b.paragraphs.map((p) => paragraphs(p))}
                    ${
                      b.quote
                        ? html`<p style="margin-bottom:4px;"><strong>${b.quote.label}</strong></p>
                            <blockquote
                              style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #cbd2d9;color:#3e4c59;"
                            >
                              ${paragraphs(b.quote.text)}
                            </blockquote>`
                        : ''
                    }
                    ${b.action ? html`<p style="margin:24px 0;"><a href="${b.action.url}" style="background:#1f6feb;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block;">${b.action.label}</a></p>` : ''}
                    ${paragraphs(signOff(b))}
                  </td>
                </tr>
                <tr>
                  <td style="padding:16px 28px;border-top:1px solid #e4e7eb;font-size:12px;color:#616e7c;">
                    ${footerLines(b).map((l, i) => (i ? html`<br />${l}` : l))}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>`;
  return { subject, text, html: body.value };
}
