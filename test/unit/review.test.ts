import { describe, expect, it } from 'vitest';
import { reviewPhrase } from '../../workflows/review.js';

describe('reviewPhrase', () => {
  it.each([
    ['Dagegen lege ich Widerspruch ein.', 'Widerspruch'],
    ['Bitte prüfen Sie das noch einmal prüfen, danke', 'noch einmal prüfen'],
    ['Ich bin mit der Entscheidung nicht einverstanden.', 'bin mit der Entscheidung nicht einverstanden'],
    ['I would like to request a review.', 'request a review'],
    ['Please reconsider.', 'Please reconsider'],
  ])('%s', (text, phrase) => {
    expect(reviewPhrase(text)).toBe(phrase);
  });
  it.each(['Danke für die schnelle Antwort.', 'Wann kommt das Geld?'])('not a review: %s', (text) => {
    expect(reviewPhrase(text)).toBeUndefined();
  });
});
