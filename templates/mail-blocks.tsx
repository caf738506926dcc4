/**
 * The building blocks of the mail layout (templates/layout.tsx): paragraphs that keep their line breaks, the
 * quoted block, the action button and the row of choices. Links marked `data-text="block"` are written out on
 * their own line in the text part.
 */
import { Button } from '@react-email/button';
import { Link } from '@react-email/link';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { Fragment } from 'react';

export interface MailQuote {
  label: string;
  text: string;
}

export interface MailAction {
  label: string;
  url: string;
}

export interface MailChoice {
  label: string;
  url: string;
  /** Read by screen readers and shown as the link's title, e.g. "2 von 5 (eher unzufrieden)". */
  title: string;
}

export interface MailChoices {
  question: string;
  options: MailChoice[];
  caption?: string;
}

/** The style of a paragraph. */
export const text = { fontSize: '15px', lineHeight: '1.5', margin: '0 0 14px', color: '#1f2933' } as const;

/** A paragraph whose line breaks stay line breaks. */
export function Lines({ value, style = text }: { value: string; style?: Record<string, string> }) {
  const lines = value.split('\n');
  return (
    <Text style={style}>
      {lines.map((line, i) => (
        <Fragment key={i}>
          {i > 0 && <br />}
          {line}
        </Fragment>
      ))}
    </Text>
  );
}

/** A quoted block under its label; blank lines separate its paragraphs. */
export function Quote({ label, text: quoted }: MailQuote) {
  return (
    <Section style={{ margin: '0 0 16px' }}>
      <Text style={{ ...text, margin: '0 0 4px', fontWeight: 'bold' }}>{label}</Text>
      <blockquote style={{ margin: 0, borderLeft: '3px solid #cbd2d9', padding: '4px 12px' }}>
        {quoted.split(/\n{2,}/).map((p, i) => (
          <Lines key={i} value={p} style={{ ...text, color: '#3e4c59', margin: '0 0 8px' }} />
        ))}
      </blockquote>
    </Section>
  );
}

/** The one button of a mail. */
export function ActionButton({ label, url }: MailAction) {
  return (
    <Section style={{ margin: '24px 0' }}>
      <Button
        href={url}
        data-text="block"
        style={{
          backgroundColor: '#1a5fd0',
          color: '#ffffff',
          padding: '12px 20px',
          borderRadius: '4px',
          fontSize: '15px',
          textDecoration: 'none',
        }}
      >
        {label}
      </Button>
    </Section>
  );
}

/** A row of links to choose from (the 1–5 rating) under its question, with an optional caption below. */
export function Choices({ question, options, caption }: MailChoices) {
  return (
    <Section style={{ margin: '8px 0 20px' }}>
      <Text style={{ ...text, fontWeight: 'bold' }}>{question}</Text>
      <Text style={{ ...text, margin: '0 0 6px' }}>
        {options.map((o, i) => (
          <Fragment key={o.url}>
            {i > 0 && ' '}
            <Link
              href={o.url}
              title={o.title}
              aria-label={o.title}
              data-text="block"
              style={{
                display: 'inline-block',
                minWidth: '44px',
                padding: '10px 0',
                margin: '0 4px 4px 0',
                textAlign: 'center',
                fontSize: '18px',
                fontWeight: 'bold',
                color: '#1a5fd0',
                border: '2px solid #1a5fd0',
                borderRadius: '6px',
                textDecoration: 'none',
              }}
            >
              {o.label}
            </Link>
          </Fragment>
        ))}
      </Text>
      {caption && <Text style={{ ...text, fontSize: '13px', color: '#52606d' }}>{caption}</Text>}
    </Section>
  );
}
