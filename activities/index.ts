/**
 * Every side effect a workflow may ask for, built from injected dependencies
 * (workflows use `proxyActivities<ReturnType<typeof createActivities>>` with a type-only import).
 */
import { DECIDING_MAIL_KINDS, RATING_MAX } from '../workflows/case.js';
import type { CaseMailRequest } from '../workflows/case-mail.js';
import { customerView } from '../templates/customer-view.js';
import { renderCaseMail, type MailLinks } from '../templates/index.js';
import { displayAddress, domainOf } from './address.js';
import type { IntakeDeps } from './intake/mailbox.js';
import { createWatchMailbox } from './intake/watch-mailbox.js';
import { createDigestActivities } from './digest.js';
import { subkey } from './keys.js';
import { signLink, type LinkClaims } from './links.js';
import type { TSendMail } from './mail.js';
import { formatEnvelopeId, formatReplyAddress } from './mail-ids.js';
import { outgoingHeaders } from './outgoing-headers.js';
import { createStaffAlarm } from './staff-alarm.js';

export interface ActivityDeps {
  /** ADMIN_ADDRESS: told when mail to a staff address is refused for good. */
  adminAddress?: string;
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
  const base = deps.publicUrl.replace(/\/$/, '');
  const mailIdKey = subkey(deps.linkSecret, 'mail-ids');
  /** A mail that may be answered with a decision gets the approver's signed reply address (activities/mail-ids.ts). */
  const replyTo = (req: CaseMailRequest): { replyTo?: string } => {
    if (req.to === 'customer' || req.case.mailDecisions === 'off' || !DECIDING_MAIL_KINDS.includes(req.kind)) return {};
    const claims = {
      caseId: req.case.caseId,
      seq: req.seq,
      level: req.to.level,
      approver: req.to.address,
      expiresAt: Date.now() + deps.linkValidity,
    };
    return { replyTo: formatReplyAddress(mailIdKey, deps.supportAddress, claims) };
  };
  /** A signed link to one of the link server's pages, valid for `linkValidity` from now. */
  const link = (path: string, claims: Omit<LinkClaims, 'x'>): string =>
    `${base}/${path}/${signLink(deps.linkSecret, { ...claims, x: Math.floor((Date.now() + deps.linkValidity) / 1000) })}`;
  /** The links a mail needs: the rating pages for the survey, the follow-up page or the decision page for staff. */
  const mailLinks = (req: CaseMailRequest): MailLinks => {
    const c = req.case.caseId;
    if (req.to === 'customer') {
      if (req.kind !== 'follow-up') return {};
      const a = req.case.customer.address;
      return {
        rating: Array.from({ length: RATING_MAX }, (_, i) => link('feedback', { c, a, l: 0, p: 'feedback', r: i + 1 })),
      };
    }
    const claims = { c, a: req.to.address, l: req.to.level };
    // Every staff mail also leads to the recipient's queue (a person, no case: worker/link-server/queue-routes.ts).
    const queue = link('queue', { c: '', a: req.to.address, l: 0, p: 'queue' });
    if (req.kind.startsWith('low-rating')) return { followUp: link('follow-up', { ...claims, p: 'follow-up' }), queue };
    // A pending decision's receipt: the undo page, valid exactly until the undo window closes.
    const until = req.kind === 'decision-receipt' ? req.case.decision?.pendingUntil : undefined;
    if (until) {
      const x = Math.ceil(Date.parse(until) / 1000);
      return { undo: `${base}/undo/${signLink(deps.linkSecret, { ...claims, p: 'undo', x })}`, queue };
    }
    return { decide: link('decide', { ...claims, p: 'decide' }), queue };
  };
  const alarmStaffRefused = createStaffAlarm(deps);
  return {
    async sendCaseMail(req: CaseMailRequest): Promise<{ messageId: string }> {
      const to = req.to === 'customer' ? customerView(req.case).customer : req.to;
      const mail = await renderCaseMail(req, mailLinks(req));
      const h = outgoingHeaders(req, domain, mailIdKey);
      const send = deps.sendMail({
        from: deps.supportAddress,
        to: displayAddress(to),
        ...replyTo(req),
        ...mail,
        messageId: h.messageId,
        inReplyTo: h.inReplyTo,
        references: h.references,
        headers: h.headers,
        envelopeId: formatEnvelopeId(mailIdKey, req.case.caseId, req.seq),
        budgeted: req.to === 'customer',
      });
      // A staff address our own SMTP server refuses for good: nobody would learn of the case, so the admin must.
      if (req.to !== 'customer') await send.catch((err: unknown) => alarmStaffRefused(req, err));
      else await send;
      return { messageId: h.messageId };
    },
    watchMailbox: createWatchMailbox(deps.intake),
    ...createDigestActivities(deps),
  };
}
