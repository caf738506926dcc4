/**
 * What a case records as it runs: its timeline, the evidence of a decision, the survey and a low rating's
 * follow-up. A leaf module of the case model (case.ts re-exports it). Pure: types only.
 */
export interface TimelineEntry {
  at: string;
  event: string;
  detail?: string;
}

/** What proves who decided, recorded with the decision (history, case page, the approver's receipt). */
export interface DecisionEvidence {
  /**
   * What was checked: the signed reply address of our mail `seq` to the approver, the signed decision link, or
   * neither (`temporal`: an update or signal sent through the Web UI, CLI or API, trusted as Temporal access).
   */
  method: 'reply-address' | 'link' | 'temporal';
  /** For `reply-address`: the mail of ours it answered. */
  seq?: number;
  /** Message-ID of the deciding mail. */
  messageId?: string;
  /** The link page's client (address and user agent), as the link server saw it. */
  client?: { ip?: string; userAgent?: string };
}

export interface FeedbackRecord {
  askedAt: string;
  /** End of the feedback window: the case completes then, with or without feedback. */
  closesAt: string;
  rating?: { value: number; at: string; channel: 'link' | 'mail' | 'admin'; comment?: string };
  /** Replies to the follow-up, in the customer's own words. */
  comments: Array<{ at: string; text: string }>;
  thankedAt?: string;
  /** Set when the window closed; later ratings are refused. */
  closedAt?: string;
}

export interface LowRatingFollowUp {
  owner: string;
  ownerName: string;
  rating: number;
  openedAt: string;
  dueAt: string;
  reminders: number;
  /** Set once the level above was told that the follow-up is overdue. */
  overdueNotified?: string;
  closed?: { at: string; by: string; byName: string; note: string; messageToCustomer?: string };
}
