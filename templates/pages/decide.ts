/** The confirmation page a decision link opens. Showing it changes nothing; only its form POST decides. */
import type { Approver, CaseState } from '../../workflows/case.js';
import { formatDateTime } from '../format.js';
import { html } from '../html.js';
import { page } from './layout.js';

export interface DecidePageProps {
  state: CaseState;
  complaintText: string;
  approver: Approver;
  timeZone: string;
  csrfToken: string;
  action: string;
}

const T = {
  de: {
    title: 'Entscheidung zu Fall',
    customer: 'Kunde',
    subject: 'Betreff',
    priority: 'Priorität',
    why: 'Warum eskaliert',
    promised: 'Zugesagt bis',
    complaint: 'Die Beschwerde',
    done: 'Bisher getan',
    decide: 'Ihre Entscheidung',
    approve: 'Genehmigen',
    reject: 'Ablehnen',
    noteCustomer: 'Nachricht an den Kunden (wird ihm geschickt)',
    noteInternal: 'Interne Notiz (nur im Fallverlauf)',
    submit: 'Entscheidung absenden',
    hint: 'Sie entscheiden als',
  },
  en: {
    title: 'Decision on case',
    customer: 'Customer',
    subject: 'Subject',
    priority: 'Priority',
    why: 'Why escalated',
    promised: 'Promised by',
    complaint: 'The complaint',
    done: 'Done so far',
    decide: 'Your decision',
    approve: 'Approve',
    reject: 'Reject',
    noteCustomer: 'Note to the customer (sent to them)',
    noteInternal: 'Internal note (case history only)',
    submit: 'Send decision',
    hint: 'You decide as',
  },
} as const;

export function decidePage(p: DecidePageProps): string {
  const l = p.approver.language;
  const t = T[l];
  const s = p.state;
  const who = s.customer.name ? `${s.customer.name} <${s.customer.address}>` : s.customer.address;
  const body = html` <section>
      <h1>${t.title} ${s.caseId}</h1>
      <dl>
        <dt>${t.customer}</dt>
        <dd>${who}</dd>
        <dt>${t.subject}</dt>
        <dd>${s.subject}</dd>
        <dt>${t.priority}</dt>
        <dd>${s.assessment.priority} (${s.assessment.urgency} / ${s.assessment.impact})</dd>
        <dt>${t.why}</dt>
        <dd>${s.assessment.reasons.join('; ')}</dd>
        <dt>${t.promised}</dt>
        <dd>${formatDateTime(s.promisedBy, l, p.timeZone)}</dd>
      </dl>
    </section>
    <section>
      <h2>${t.complaint}</h2>
      <blockquote>${p.complaintText}</blockquote>
    </section>
    <section>
      <h2>${t.done}</h2>
      <ol>
        ${s.timeline.map((e) => html`<li>${formatDateTime(e.at, l, p.timeZone)}: ${e.event}${e.detail ? ` (${e.detail})` : ''}</li>`)}
      </ol>
    </section>
    <section>
      <h2>${t.decide}</h2>
      <form method="post" action="${p.action}">
        <input type="hidden" name="_csrf" value="${p.csrfToken}" />
        <fieldset>
          <legend class="muted">${t.hint} ${p.approver.name} (${p.approver.role})</legend>
          <label class="choice"><input type="radio" name="outcome" value="approved" required /> ${t.approve}</label>
          <label class="choice"><input type="radio" name="outcome" value="rejected" /> ${t.reject}</label>
        </fieldset>
        <label for="noteToCustomer">${t.noteCustomer}</label
        ><textarea id="noteToCustomer" name="noteToCustomer" maxlength="4000"></textarea>
        <label for="internalNote">${t.noteInternal}</label
        ><textarea id="internalNote" name="internalNote" maxlength="4000"></textarea>
        <button type="submit">${t.submit}</button>
      </form>
    </section>`;
  return page(l, `${t.title} ${s.caseId}`, body);
}
