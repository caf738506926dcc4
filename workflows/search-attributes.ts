/**
 * Custom search attributes of a case, as registered on the dev server (stack/search-attributes.txt).
 * Never personal data: the customer appears only as a keyed hash (search attributes are not encrypted).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
