/**
 * The language of a customer's mail: Content-Language (RFC 3282) first, then a detector (franc-min, trigram
 * statistics) restricted to the languages we answer in, then the mailbox's default.
 */
import { franc } from 'franc-min';
import type { TLanguage } from '../../workflows/case.js';

/** Language from a Content-Language value when it names one we speak. */
export function languageFromHeader(value: string | undefined): TLanguage | undefined {
  const tag = value?.trim().toLowerCase() ?? '';
  if (tag.startsWith('de')) return 'de';
  if (tag.startsWith('en')) return 'en';
  return undefined;
}

export function detectLanguage(
  contentLanguage: string | undefined,
  text: string,
  fallback: TLanguage,
): { language: TLanguage; reason: string } {
  const fromHeader = languageFromHeader(contentLanguage);
  if (fromHeader) return { language: fromHeader, reason: `Content-Language: ${contentLanguage?.trim()}` };
  const guess = franc(text.slice(0, 2000), { only: ['deu', 'eng'], minLength: 20 });
  if (guess === 'deu') return { language: 'de', reason: 'detected from the text (German)' };
  if (guess === 'eng') return { language: 'en', reason: 'detected from the text (English)' };
  return { language: fallback, reason: `too little text to tell: the mailbox default (${fallback})` };
}
