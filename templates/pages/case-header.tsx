/** The head of a staff page (the decision page, the follow-up page): the case number and the case's facts. */
import type { ReactNode } from 'react';

/** The customer as the page names them: "Name <address>", or the address alone. */
export function customerLine(customer: { name?: string; address: string }): string {
  return customer.name ? `${customer.name} <${customer.address}>` : customer.address;
}

/** The title with the case number, then the facts as a list (`children`: its `<dt>`/`<dd>` pairs). */
export function CaseHeader({ title, caseId, children }: { title: string; caseId: string; children: ReactNode }) {
  return (
    <section>
      <h1>
        {title} {caseId}
      </h1>
      <dl>{children}</dl>
    </section>
  );
}
