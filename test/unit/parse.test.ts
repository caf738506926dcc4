import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../activities/intake/language.js';
import { boundText, MAX_TEXT_CHARS, trimReply } from '../../activities/intake/parse.js';

describe('trimReply', () => {
  it.each([
    [
      'German client quote header',
      'Hier die Rechnung.\n\nAm 23.11.2026 um 10:00 schrieb Kundenservice <support@example.test>:\n> alt',
      'Hier die Rechnung.',
    ],
    ['English client quote header', 'Thanks.\n\nOn Mon, 23 Nov 2026 at 10:00, Support wrote:\n> old', 'Thanks.'],
    [
      'Outlook original message',
      'Bitte prüfen.\n-----Ursprüngliche Nachricht-----\nVon: Kundenservice',
      'Bitte prüfen.',
    ],
    ['signature', 'Danke!\n-- \nErika Müller\nTel. 0123', 'Danke!'],
    ['interleaved quote lines', '> Frage?\nAntwort.\n> Noch eine?\nJa.', 'Antwort.\nJa.'],
  ])('%s', (_n, text, expected) => {
    expect(trimReply(text)).toBe(expected);
  });
  it('keeps the whole text when nothing new would remain', () => {
    expect(trimReply('> only quoted')).toBe('> only quoted');
  });
});

describe('boundText', () => {
  it('marks truncation visibly', () => {
    const out = boundText('x'.repeat(MAX_TEXT_CHARS + 10));
    expect(out.length).toBeLessThan(MAX_TEXT_CHARS + 100);
    expect(out).toContain('truncated');
    expect(boundText('kurz\r\n')).toBe('kurz');
  });
});

describe('detectLanguage', () => {
  it.each([
    ['en-GB', 'Meine Waschmaschine ist kaputt', 'en'],
    [undefined, 'Meine Waschmaschine ist kaputt und ich möchte mein Geld zurück', 'de'],
    [undefined, 'My washing machine broke after two weeks and I want a refund', 'en'],
    [undefined, 'Hallo', 'de'],
  ])('%s / %s → %s', (header, text, expected) => {
    expect(detectLanguage(header, text, 'de').language).toBe(expected);
  });
});
