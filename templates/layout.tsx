/**
 * The one layout every mail shares: greeting, paragraphs, an optional quote, an optional action button or row
 * of choices (the satisfaction rating), sign-off and the company footer from the policy.
 *
 * Rendered with React Email: its components produce the table markup mail clients (Outlook included) need, and
 * React escapes every interpolated value. Nothing here sets raw HTML (`dangerouslySetInnerHTML` is banned by
 * lint), so customer text cannot become markup. The text part is converted from the same HTML, so both parts
 * always say the same thing.
 */
import { Body } from '@react-email/body';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Hr } from '@react-email/hr';
import { Html } from '@react-email/html';
import { Preview } from '@react-email/preview';
import { plainTextSelectors, render } from '@react-email/render';
import { compile } from 'html-to-text';
import type { PolicySnapshot, TLanguage } from '../workflows/case.js';
import {
  ActionButton,
  Choices,
  Lines,
  Quote,
  text,
  type MailAction,
  type MailChoices,
  type MailQuote,
} from './mail-blocks.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailBody {
  language: TLanguage;
  greeting: string;
  /** Plain text; a line break inside a paragraph stays a line break. */
  paragraphs: string[];
  /** A quoted block, e.g. the customer's complaint in a mail to staff. */
  quote?: MailQuote;
  action?: MailAction;
  /** A row of links to choose from (the 1–5 rating), with a line above and a caption below. */
  choices?: MailChoices;
  /** Paragraphs after the action or the choices. */
  closing?: string[];
  company: PolicySnapshot['company'];
}

/** What a template returns: the subject and the content; `renderDraft` turns it into the mail's two parts. */
export interface MailDraft {
  subject: string;
  body: MailBody;
}

/** A template's draft: the subject and the content, not yet rendered. */
export function makeDraft(subject: string, body: MailBody): MailDraft {
  return { subject, body };
}

function footerLines(b: MailBody): string[] {
  const c = b.company;
  const de = b.language === 'de';
  return [
    c.name,
    c.address,
    `${de ? 'Telefon' : 'Phone'}: ${c.phone}`,
    `${de ? 'Erreichbar' : 'Opening hours'}: ${c.hours}`,
  ];
}

function signOff(b: MailBody): string {
  return b.language === 'de'
    ? `Freundliche Grüße\nIhr Kundenservice der ${b.company.name}`
    : `Kind regards\nCustomer Service, ${b.company.name}`;
}

/** The button of every staff mail that leads to the decision page. */
export function decideAction(language: TLanguage, url: string): MailAction {
  return { label: language === 'de' ? 'Fall prüfen und entscheiden' : 'Review and decide', url };
}

/** The first sentence of the first paragraph: what the inbox shows next to the subject. */
function previewOf(b: MailBody): string {
  const first = b.paragraphs[0] ?? '';
  const sentence = first.split('\n')[0]!.match(/^.*?[.!?:](\s|$)/)?.[0] ?? first;
  return sentence.trim().slice(0, 140);
}

export function MailLayout({ subject, body: b }: MailDraft) {
  return (
    <Html lang={b.language}>
      <Head>
        <title>{subject}</title>
      </Head>
      <Preview>{previewOf(b)}</Preview>
      <Body
        style={{
          margin: 0,
          padding: '24px 12px',
          backgroundColor: '#f4f5f7',
          fontFamily: 'Arial, Helvetica, sans-serif',
        }}
      >
        <Container style={{ maxWidth: '600px', backgroundColor: '#ffffff', borderRadius: '6px', padding: '24px 28px' }}>
          <Lines value={b.greeting} />
          {b.paragraphs.map((p, i) => (
            <Lines key={i} value={p} />
          ))}
          {b.quote && <Quote {...b.quote} />}
          {b.action && <ActionButton {...b.action} />}
          {b.choices && <Choices {...b.choices} />}
          {(b.closing ?? []).map((p, i) => (
            <Lines key={i} value={p} />
          ))}
          <Lines value={signOff(b)} />
          <Hr style={{ borderColor: '#e4e7eb', margin: '20px 0 12px' }} />
          <Lines value={footerLines(b).join('\n')} style={{ ...text, fontSize: '12px', color: '#616e7c' }} />
        </Container>
      </Body>
    </Html>
  );
}

/**
 * The text part, from the same HTML (react-email's toPlainText with our selectors, compiled once: html-to-text's
 * convert() compiles its options on every call, which was a twentieth of the worker's CPU in a burst). Links are
 * written out in full on their own line (a text reader must see where a link goes), the hidden inbox preview is left
 * out, and nothing is wrapped (mail clients wrap).
 */
const toText = compile({
  wordwrap: false,
  selectors: [
    ...plainTextSelectors,
    { selector: 'a[data-text=block]', format: 'linkOnItsOwnLine' },
    { selector: 'hr', format: 'skip' },
  ],
  formatters: {
    // "Label:" (or the link's title, for the rating) and the address below it, as its own block.
    linkOnItsOwnLine: (elem, walk, builder) => {
      const attribs: Record<string, string> = elem.attribs ?? {};
      builder.openBlock({ leadingLineBreaks: 1 });
      if (attribs.title) builder.addInline(attribs.title);
      else walk(elem.children, builder);
      builder.addInline(':');
      builder.addLineBreak();
      builder.addInline(attribs.href ?? '', { noWordTransform: true });
      builder.closeBlock({ trailingLineBreaks: 1 });
    },
  },
});

function plainText(html: string, b: MailBody): string {
  const body = toText(html);
  // The footer follows the standard signature separator, so mail clients can fold it away.
  const footer = footerLines(b).join('\n');
  const main = body.endsWith(footer) ? body.slice(0, -footer.length).trimEnd() : body;
  return `${main.replace(/\n{3,}/g, '\n\n')}\n\n-- \n${footer}\n`;
}

export async function renderDraft(draft: MailDraft): Promise<RenderedMail> {
  const html = await render(<MailLayout {...draft} />);
  return { subject: draft.subject, html, text: plainText(html, draft.body) };
}
