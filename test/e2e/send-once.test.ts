/**
 * Sending exactly once, as far as SMTP allows, against the real Dovecot and Postfix: the support mailbox's Sent
 * folder is the ledger (activities/sent-ledger.ts). A retried send of the same Message-ID is skipped, a retry
 * while the first attempt may still run waits, and a claim left by a dead attempt is sent again.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapOptions, type MailboxSettings } from '../../activities/intake/mailbox.js';
import { createMailSender, createSmtpTransport, type OutgoingMail } from '../../activities/mail.js';
import { QUEUED, SENT, SendInProgressError, SentLedger, SUPERSEDED } from '../../activities/sent-ledger.js';
import { mailPorts } from '../helpers/ports.js';
import { readFolder, stackMailbox, uniqueAddress, waitForMail, withImap } from '../helpers/mail.js';

const support = uniqueAddress('support');
const box: MailboxSettings = stackMailbox(support, { key: 'ledger-test' });

const mail = (to: string): OutgoingMail => ({
  from: `Kundenservice <${support}>`,
  to,
  subject: 'Ihre Beschwerde',
  text: 'Danke.',
  html: '<p>Danke.</p>',
  messageId: `<ledger-${randomBytes(6).toString('hex')}@example.test>`,
  headers: { 'Auto-Submitted': 'auto-replied' },
  envelopeId: `LEDGER.${randomBytes(2).toString('hex')}`,
});

/** Flags of the copies of `messageId` in the support mailbox's Sent folder. */
async function sentCopies(messageId: string): Promise<string[][]> {
  return withImap(support, async (c) => {
    const lock = await c.getMailboxLock('Sent');
    try {
      const uids = (await c.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      if (uids.length === 0) return [];
      const copies = await c.fetchAll(uids, { uid: true, flags: true }, { uid: true });
      return copies.map((m) => [...(m.flags ?? [])].sort());
    } finally {
      lock.release();
    }
  });
}

describe('the Sent folder as the send ledger', () => {
  const transport = createSmtpTransport({
    host: '127.0.0.1',
    port: mailPorts.smtp,
    secure: false,
    tlsInsecure: false,
    requireTLS: false,
  });
  let ledger: SentLedger;

  beforeAll(() => {
    ledger = new SentLedger({ imap: imapOptions(box), folder: 'Sent', claimMs: 60_000 });
  });
  afterAll(async () => {
    await ledger?.close();
    transport.close();
  });

  it('delivers a mail sent twice (a retried activity) once, and keeps the copy in Sent marked sent', async () => {
    const to = uniqueAddress('kunde');
    const m = mail(to);
    const send = createMailSender(transport, ledger);
    await send(m);
    await send(m);
    await waitForMail(to, (x) => x.messageId === m.messageId);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await readFolder(to)).filter((x) => x.parsed.messageId === m.messageId)).toHaveLength(1);
    expect(await sentCopies(m.messageId)).toEqual([[QUEUED, SENT, '\\Seen'].sort()]);
  });

  it('lets a retry that overlaps the first attempt wait, then skip', async () => {
    const to = uniqueAddress('kunde');
    const m = mail(to);
    const raw = Buffer.from(
      `From: ${m.from}\r\nTo: ${to}\r\nSubject: ${m.subject}\r\nMessage-ID: ${m.messageId}\r\n\r\nDanke.\r\n`,
    );
    // The first attempt is held between its claim and the server's 250 until the retry has looked: without the
    // gate, a fast first attempt may be marked sent before the retry looks, and the retry then (rightly) skips.
    let submitting!: () => void;
    const claimed = new Promise<void>((r) => (submitting = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const submit = async (): Promise<void> => {
      await transport.sendMail({ envelope: { from: support, to: [to] }, raw });
    };
    const first = ledger.sendOnce(m.messageId, raw, async () => {
      submitting();
      await gate;
      await submit();
    });
    await claimed;
    await expect(ledger.sendOnce(m.messageId, raw, submit)).rejects.toBeInstanceOf(SendInProgressError);
    open();
    expect(await first).toBe('sent');
    expect(await ledger.sendOnce(m.messageId, raw, submit)).toBe('skipped'); // the retry after the first finished
    await waitForMail(to, (x) => x.messageId === m.messageId);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await readFolder(to)).filter((x) => x.parsed.messageId === m.messageId)).toHaveLength(1);
  });

  it('sends a mail whose claim was left by an attempt that died before the server accepted it', async () => {
    const to = uniqueAddress('kunde');
    const m = mail(to);
    // A claim from ten minutes ago, never marked sent: its attempt died between APPEND and SMTP.
    const raw = Buffer.from(`Message-ID: ${m.messageId}\r\nSubject: stale\r\n\r\nx\r\n`);
    await withImap(support, async (c) => {
      if (!(await c.list()).some((f) => f.path === 'Sent')) await c.mailboxCreate('Sent');
      await c.append('Sent', raw, [QUEUED], new Date(Date.now() - 10 * 60_000));
    });
    await createMailSender(transport, ledger)(m);
    await waitForMail(to, (x) => x.messageId === m.messageId);
    const copies = await sentCopies(m.messageId);
    expect(copies).toHaveLength(2);
    expect(copies).toContainEqual([QUEUED, SUPERSEDED].sort());
    expect(copies).toContainEqual([QUEUED, SENT, '\\Seen'].sort());
  });

  it('marks a mail the server refuses for good, and the next try is refused again, not skipped', async () => {
    const dsnTransport = createSmtpTransport({
      host: '127.0.0.1',
      port: mailPorts.smtp,
      secure: false,
      tlsInsecure: false,
      requireTLS: false,
    });
    try {
      // An address Postfix rejects at RCPT time on the main listener: a domain it has no route for.
      const m = mail('kunde@nirgendwo.invalid');
      const send = createMailSender(dsnTransport, ledger);
      await expect(send(m)).rejects.toMatchObject({ type: 'SmtpRejected', nonRetryable: true });
      expect((await sentCopies(m.messageId)).flat()).toContain('$NachfassRefused');
      await expect(send(m)).rejects.toMatchObject({ type: 'SmtpRejected' });
    } finally {
      dsnTransport.close();
    }
  });

  it('holds the mail over one address’s budget, counted in Sent, while a retry of a sent mail is still skipped', async () => {
    const to = uniqueAddress('kunde');
    const send = createMailSender(transport, ledger, { max: 2, windowMs: 3_600_000 });
    const [a, b, c] = [mail(to), mail(to), mail(to)];
    await send({ ...a, budgeted: true });
    await send({ ...b, budgeted: true });
    await expect(send({ ...c, budgeted: true })).rejects.toMatchObject({
      type: 'MailBudgetExceeded',
      nonRetryable: true,
    });
    await send({ ...a, budgeted: true }); // a retry of a mail that went out: skipped, not held
    const staff = mail(to);
    await send({ ...staff, budgeted: false }); // staff mail has no budget
    // Another process (a second worker) sees the same count: it is kept in the mailbox.
    const other = new SentLedger({ imap: imapOptions(box), folder: 'Sent', claimMs: 60_000 });
    try {
      const again = createMailSender(transport, other, { max: 2, windowMs: 3_600_000 });
      await expect(again({ ...mail(to), budgeted: true })).rejects.toMatchObject({ type: 'MailBudgetExceeded' });
    } finally {
      await other.close();
    }
    await waitForMail(to, () => true, { count: 3 });
    await new Promise((r) => setTimeout(r, 1000));
    const got = (await readFolder(to)).map((m) => m.parsed.messageId).sort();
    expect(got).toEqual([a.messageId, b.messageId, staff.messageId].sort());
    expect(await sentCopies(c.messageId)).toEqual([]);
  });
  it('holds the budget when sends to one address come at once, each claim on whichever connection is free', async () => {
    const to = uniqueAddress('kunde');
    const send = createMailSender(transport, ledger, { max: 3, windowMs: 3_600_000 });
    const mails = Array.from({ length: 10 }, () => mail(to));
    const results = await Promise.allSettled(mails.map((m) => send({ ...m, budgeted: true })));
    const sent = mails.filter((_, i) => results[i]!.status === 'fulfilled').map((m) => m.messageId);
    expect(sent).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ type: 'MailBudgetExceeded' });
    await waitForMail(to, () => true, { count: 3 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await readFolder(to)).map((m) => m.parsed.messageId).sort()).toEqual(sent.sort());
  });

  it('looks claims up in its index of Sent once loaded, and sees what another worker sent after that', async () => {
    await ledger.warm();
    const other = new SentLedger({ imap: imapOptions(box), folder: 'Sent', claimMs: 60_000 });
    try {
      await other.warm();
      const to = uniqueAddress('kunde');
      const m = mail(to);
      const before = { ...ledger.lookups };
      await createMailSender(transport, other)(m); // the other worker sends it
      await createMailSender(transport, ledger)(m); // a retry here finds it in Sent: skipped
      expect(ledger.lookups.index - before.index).toBe(1);
      expect(ledger.lookups.search - before.search).toBe(0);
      await waitForMail(to, (x) => x.messageId === m.messageId);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await readFolder(to)).filter((x) => x.parsed.messageId === m.messageId)).toHaveLength(1);
      // The budget is counted from the index too: two sent by one worker hold the third at the other.
      const budget = { max: 2, windowMs: 3_600_000 };
      const to2 = uniqueAddress('kunde');
      await createMailSender(transport, ledger, budget)({ ...mail(to2), budgeted: true });
      await createMailSender(transport, other, budget)({ ...mail(to2), budgeted: true });
      await expect(createMailSender(transport, ledger, budget)({ ...mail(to2), budgeted: true })).rejects.toMatchObject(
        { type: 'MailBudgetExceeded' },
      );
      expect(other.lookups.search).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('keeps its index through a burst of concurrent sends, while other sessions flag copies', async () => {
    await ledger.warm();
    // 200 budgeted sends at once: each claim's catch-up FETCH also gets the unsolicited FLAGS answers that the
    // flag connection's STOREs cause (no uid in them). Once, that stopped the index; every send then failed.
    const burst = Array.from({ length: 200 }, (_, i) => {
      const to = `burst-${i}-${randomBytes(3).toString('hex')}@example.test`;
      const id = `<burst-${i}-${randomBytes(4).toString('hex')}@example.test>`;
      const raw = Buffer.from(`From: ${support}\r\nTo: ${to}\r\nMessage-ID: ${id}\r\nSubject: x\r\n\r\nx\r\n`);
      return { to, id, raw };
    });
    let submitted = 0;
    const submit = async (): Promise<void> => {
      submitted++;
    };
    const budget = { max: 30, windowMs: 3_600_000 };
    const before = { ...ledger.lookups };
    const first = await Promise.all(burst.map((m) => ledger.sendOnce(m.id, m.raw, submit, { to: m.to, ...budget })));
    expect(first.filter((o) => o === 'sent')).toHaveLength(200);
    const again = await Promise.all(burst.map((m) => ledger.sendOnce(m.id, m.raw, submit, { to: m.to, ...budget })));
    expect(again.filter((o) => o === 'skipped')).toHaveLength(200);
    expect(submitted).toBe(200);
    expect(ledger.lookups.index - before.index).toBe(400);
    expect(ledger.lookups.search - before.search).toBe(0);
  });

  it('indexes a Sent folder made anew (a new UIDVALIDITY) from scratch, and still sends each mail once', async () => {
    await ledger.warm();
    const to = uniqueAddress('kunde');
    const m = mail(to);
    await withImap(support, async (c) => {
      await c.mailboxDelete('Sent');
      await c.mailboxCreate('Sent');
    });
    const send = createMailSender(transport, ledger);
    // Dovecot ends the sessions that had the deleted folder selected, and for a moment its index of the new folder
    // fails on other sessions too ("duplicate transaction log sequence" in its log): tries fail as the activity's
    // would, and are tried again a moment later as Temporal would. None may leave a claim behind (SendInProgress).
    const retrying = async (): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await send(m);
        } catch (err) {
          if (attempt >= 5 || err instanceof SendInProgressError) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    await retrying();
    await ledger.warm(); // the new folder's index
    const before = { ...ledger.lookups };
    await retrying(); // skipped: the new folder's copy is found in its index
    expect(ledger.lookups.index).toBeGreaterThan(before.index);
    await waitForMail(to, (x) => x.messageId === m.messageId);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await readFolder(to)).filter((x) => x.parsed.messageId === m.messageId)).toHaveLength(1);
    expect(await sentCopies(m.messageId)).toEqual([[QUEUED, SENT, '\\Seen'].sort()]);
  });
});
