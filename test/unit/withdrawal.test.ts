import { describe, expect, it } from 'vitest';
import { withdrawalPhrase } from '../../workflows/withdrawal.js';

describe('withdrawalPhrase', () => {
  it.each([
    ['Danke, das hat sich inzwischen erledigt.', 'hat sich inzwischen erledigt'],
    ['Hiermit ziehe ich meine Beschwerde zurück.', 'ziehe ich meine Beschwerde zurück'],
    ['Die Rücksendung ist nicht mehr nötig.', 'ist nicht mehr nötig'],
    ['I withdraw my complaint, thanks.', 'I withdraw my complaint'],
    ['The problem resolved itself.', 'The problem resolved itself'],
  ])('%s', (text, phrase) => {
    expect(withdrawalPhrase(text)).toBe(phrase);
  });
  it.each(['Das Problem ist immer noch nicht erledigt!', 'Erledigen Sie das bitte sofort.', 'Hier noch die Fotos.'])(
    'not a withdrawal: %s',
    (text) => {
      expect(withdrawalPhrase(text)).toBeUndefined();
    },
  );
});
