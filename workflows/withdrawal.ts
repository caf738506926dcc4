/**
 * Does a customer's reply withdraw the complaint ("hat sich erledigt")? Pure. Deliberately narrow: a
 * phrase must say so plainly; anything doubtful is treated as an ordinary reply and forwarded to a person.
 */
const PHRASES = [
  /\bhat sich (?:inzwischen |mittlerweile |damit )?erledigt\b/i,
  /\b(?:ziehe|nehme) (?:ich )?(?:meine|die) beschwerde (?:hiermit )?zurück\b/i,
  /\bbeschwerde (?:ist )?(?:hiermit )?zurückgezogen\b/i,
  /\b(?:ist|sind) nicht mehr nötig\b/i,
  /\bI (?:hereby )?withdraw (?:my|the) complaint\b/i,
  /\b(?:please )?disregard my (?:complaint|previous (?:email|message))\b/i,
  /\b(?:the )?(?:problem|issue) (?:has )?(?:been )?resolved itself\b/i,
  /\bno longer (?:needed|necessary)\b/i,
];

/** The phrase that withdraws the complaint, when the reply's new text has one. */
export function withdrawalPhrase(text: string): string | undefined {
  for (const re of PHRASES) {
    const m = text.match(re);
    if (m) return m[0];
  }
  return undefined;
}
