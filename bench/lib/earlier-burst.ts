/**
 * A burst before the measured one, then a quiet spell (`BENCH_EARLIER=300:90`: 300 complaints, 90 s idle): the
 * measured burst then meets a worker that has run one already, whose polls and connections have sat idle, as a
 * support mailbox's worker does in the morning. Off unless set.
 */
import type { Transporter } from 'nodemailer';
import type { PrivateMailStack } from '../../test/helpers/private-stack.js';
import { repliesTo } from './maildir.js';
import { complaintMail } from './setup.js';

export async function earlierBurst(
  smtp: Transporter,
  mail: PrivateMailStack,
  support: string,
  tag: string,
): Promise<void> {
  const spec = process.env.BENCH_EARLIER;
  if (!spec) return;
  const [count, idleS] = spec.split(':').map(Number);
  if (!count || idleS === undefined || !Number.isFinite(idleS))
    throw new Error(`BENCH_EARLIER=${spec}: want N:SECONDS`);
  const mails = Array.from({ length: count }, (_, i) => {
    const customer = `frueher${i}-${tag}@example.test`;
    return { customer, ...complaintMail(100_000 + i, customer, support, tag) };
  });
  const t0 = Date.now();
  await Promise.all(mails.map((m) => smtp.sendMail({ envelope: { from: m.customer, to: support }, raw: m.raw })));
  const pending = new Set(mails);
  while (pending.size > 0) {
    if (Date.now() - t0 > 10 * 60_000) throw new Error(`the earlier burst: ${pending.size} not acknowledged in 10 min`);
    for (const m of [...pending]) if (repliesTo(mail.dir, m.customer, m.id).length > 0) pending.delete(m);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`the earlier burst: ${count} acknowledged in ${(Date.now() - t0) / 1000} s; now ${idleS} s idle`);
  await new Promise((r) => setTimeout(r, idleS * 1000));
}
