/**
 * The lists an admin opens every day in the Temporal Web UI, as visibility queries over the case search
 * attributes (workflows/search-attributes.ts): one definition for the README's table, `nachfass lists` and the
 * browser test. Temporal's visibility (server 1.29) compares date-times only with absolute times, there is no
 * `now()`: a list bound to the clock ("overdue", "this week") is a function of the moment it is asked at, and
 * its link is printed for that moment; a list that is not is one fixed link.
 */
import { DateTime } from 'luxon';

/** The Web UI of the demo (`npm run demo`): the base of the README's links. */
export const DEMO_UI = 'http://localhost:8233';

/** Ratings at or below this are low (the policy's `feedback.lowRatingAtMost`, default 2). */
export const DEFAULT_LOW_RATING_AT_MOST = 2;

const CASES = "WorkflowType = 'ComplaintWorkflow'";

export interface ListClock {
  /** The moment asked at (ISO, UTC): the bound of "overdue". */
  now: string;
  /** Monday 00:00 of that week in the company's time zone (ISO, UTC): the start of "this week". */
  weekStart: string;
}

export interface ListQuery {
  id: string;
  title: string;
  /** What the list holds, in an admin's words. */
  what: string;
  /** True when the query depends on the clock (its link holds the moment it was printed for). */
  dated: boolean;
  query(clock: ListClock, lowRatingAtMost?: number): string;
}

export const LIST_QUERIES: readonly ListQuery[] = [
  {
    id: 'waiting-for-management',
    title: 'Cases waiting for management',
    what: 'undecided cases above the first rung of the ladder (Geschäftsleitung in the example policy): escalated, forwarded, or P1 asked there first',
    dated: false,
    query: () =>
      `${CASES} AND ExecutionStatus = 'Running' AND CaseStatus = 'awaiting-decision' AND EscalationLevel >= 1`,
  },
  {
    id: 'overdue-p1',
    title: 'Overdue P1 cases',
    what: 'undecided P1 cases whose promised time (DueAt) has passed without the promise being renewed: the same "overdue" as `nachfass status` and the `nachfass_overdue_cases` gauge',
    dated: true,
    query: ({ now }) =>
      `${CASES} AND ExecutionStatus = 'Running' AND Priority = 'P1' AND CaseStatus = 'awaiting-decision' AND DueAt < '${now}'`,
  },
  {
    id: 'low-ratings-this-week',
    title: 'Low ratings this week',
    what: 'cases rated at or below the low mark, still open (their follow-up runs) or closed since Monday',
    dated: true,
    query: ({ weekStart }, lowRatingAtMost = DEFAULT_LOW_RATING_AT_MOST) =>
      `${CASES} AND Satisfaction <= ${lowRatingAtMost} AND (ExecutionStatus = 'Running' OR CloseTime >= '${weekStart}')`,
  },
];

/** The clock of the lists at `at`, "this week" counted in `timeZone` (ISO weeks start on Monday). */
export function listClock(at: Date, timeZone: string): ListClock {
  const monday = DateTime.fromJSDate(at, { zone: timeZone }).startOf('week');
  return { now: at.toISOString(), weekStart: monday.toUTC().toISO({ suppressMilliseconds: true })! };
}

/** The placeholders the README shows in the clock-bound queries. */
export const README_CLOCK: ListClock = { now: '<now>', weekStart: '<Monday 00:00>' };

/** The Web UI's list of a namespace, filtered by `query`. */
export function listUrl(ui: string, namespace: string, query: string): string {
  // Quotes and parentheses too (encodeURIComponent leaves them): the link survives Markdown and shells.
  const q = encodeURIComponent(query).replace(/['()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${ui.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${q}`;
}

/** The link of `list` as the README names it: fixed lists only (clock-bound ones have none that lasts). */
export function readmeLink(list: ListQuery): string | undefined {
  return list.dated ? undefined : listUrl(DEMO_UI, 'default', list.query(README_CLOCK));
}
