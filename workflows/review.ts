/**
 * Does a customer's reply to a rejection ask for a review ("Widerspruch", "bitte noch einmal prüfen")?
 * Pure and deliberately narrow: anything doubtful is an ordinary reply, forwarded to a person.
 */
const PHRASES = [
  /\bwiderspruch\b/i,
  /\b(?:noch ?(?:ein)?mal|erneut) (?:über)?prüfen\b/i,
  /\büberprüfen lassen\b/i,
  /\bbin (?:damit |mit (?:der|dieser) entscheidung )?nicht einverstanden\b/i,
  /\b(?:request|ask for) (?:a )?review\b/i,
  /\b(?:I )?appeal\b/i,
  /\b(?:please )?reconsider\b/i,
  /\bI (?:strongly )?disagree\b/i,
];

export function reviewPhrase(text: string): string | undefined {
  for (const re of PHRASES) {
    const m = text.match(re);
    if (m) return m[0];
  }
  return undefined;
}
