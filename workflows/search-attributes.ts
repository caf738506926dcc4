/**
 * Custom search attributes of a case, as registered on the dev server (stack/search-attributes.txt).
 * Never personal data: the customer appears only as a keyed hash (search attributes are not encrypted).
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { CaseState } from './case.js';

export const CaseStatusKey = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const PriorityKey = defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD);
export const UrgencyKey = defineSearchAttributeKey('Urgency', SearchAttributeType.KEYWORD);
export const ImpactKey = defineSearchAttributeKey('Impact', SearchAttributeType.KEYWORD);
export const EscalationLevelKey = defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT);
export const DueAtKey = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);
export const SatisfactionKey = defineSearchAttributeKey('Satisfaction', SearchAttributeType.INT);
export const CustomerHashKey = defineSearchAttributeKey('CustomerHash', SearchAttributeType.KEYWORD);
/** Whose decision the case waits for, as a keyed hash (activities/identity.ts `approverKey`); unset otherwise. */
export const ApproverHashKey = defineSearchAttributeKey('ApproverHash', SearchAttributeType.KEYWORD);
/** Set once the reminders at the top of the ladder ran out (`maxReminders`): nobody is mailed about it any more. */
export const StalledKey = defineSearchAttributeKey('Stalled', SearchAttributeType.BOOL);

/** Names the worker checks for on the server before it lets workflows upsert them. */
export const CASE_SEARCH_ATTRIBUTES = [
  CaseStatusKey,
  PriorityKey,
  UrgencyKey,
  ImpactKey,
  EscalationLevelKey,
  DueAtKey,
  SatisfactionKey,
  CustomerHashKey,
  ApproverHashKey,
  StalledKey,
].map((k) => ({ name: k.name, type: k.type }));

/** What the queue adds to a case's search attributes (cases from before it publish none of it). */
export interface QueueAttributes {
  /** The keyed hash of whoever decides now, when the case has one. */
  approverKey?: string;
  stalled?: boolean;
}

/** Mirrors the case into its search attributes. Workflow code only. */
export function publishSearchAttributes(state: CaseState, customerKey: string, queue?: QueueAttributes): void {
  const pairs: SearchAttributeUpdatePair[] = [
    { key: CaseStatusKey, value: state.status },
    { key: PriorityKey, value: state.assessment.priority },
    { key: UrgencyKey, value: state.assessment.urgency },
    { key: ImpactKey, value: state.assessment.impact },
    { key: EscalationLevelKey, value: state.level },
    { key: DueAtKey, value: state.status === 'awaiting-decision' ? new Date(state.promisedBy) : null },
    { key: CustomerHashKey, value: customerKey },
  ];
  if (state.feedback?.rating) pairs.push({ key: SatisfactionKey, value: state.feedback.rating.value });
  if (queue) {
    const waiting = state.status === 'awaiting-decision' && queue.approverKey !== undefined;
    pairs.push({ key: ApproverHashKey, value: waiting ? queue.approverKey! : null });
    if (queue.stalled) pairs.push({ key: StalledKey, value: true });
  }
  upsertSearchAttributes(pairs);
}
