/**
 * Every side effect a workflow may ask for, built from injected dependencies
 * (workflows use `proxyActivities<ReturnType<typeof createActivities>>` with a type-only import).
 */
import type { CaseMailRequest } from '../workflows/case.js';
import { renderCaseMail } from '../templates/index.js';
import { createWatchMailbox, type IntakeDeps } from './intake.js';
import { signLink } from './links.js';
import type { TSendMail } from './mail.js';
import { domainOf, outgoingHeaders } from './outgoing-headers.js';

export interface ActivityDeps {
  sendMail: TSendMail;
  /** From/Reply-To of outgoing mail, e.g. "Kundenservice <support@example.test>". */
  supportAddress: string;
  publicUrl: string;
  linkSecret: string;
  /** How long a decision link stays valid (ms). */
  linkValidity: number;
  intake: IntakeDeps;
}

export function createActivities(deps: ActivityDeps) {
  const domain = domainOf(deps.supportAddress);
  return {
    async sendCaseMail(req: CaseMailRequest): Promise<{ messageId: string }> {
      const to = req.to === 'customer' ? req.case.customer : req.to;
      const link =
        req.to === 'customer'
          ? undefined
          : `${deps.publicUrl.replace(/\/$/, '')}/decide/${signLink(deps.linkSecret, {
              c: req.case.caseId,
              a: req.to.address,
              l: req.to.level,
              p: 'decide',
              x: Math.floor((Date.now() + deps.linkValidity) / 1000),
            })}`;
      const mail = await renderCaseMail(req, link);
      const h = outgoingHeaders(req, domain);
      await deps.sendMail({
        from: deps.supportAddress,
        to: to.name ? `"${to.name.replace(/["\\]/g, '')}" <${to.address}>` : to.address,
        ...mail,
        messageId: h.messageId,
        inReplyTo: h.inReplyTo,
        references: h.references,
        headers: h.headers,
        envelopeId: `${req.case.caseId}.${req.seq}`,
      });
      return { messageId: h.messageId };
    },
    watchMailbox: createWatchMailbox(deps.intake),
  };
}
