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
].map((k) => ({ name: k.name, type: k.type }));

/** Mirrors the case into its search attributes. Workflow code only. */
export function publishSearchAttributes(state: CaseState, customerKey: string): void {
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
  upsertSearchAttributes(pairs);
}
