/**
 * What a new case's first mails need, made ready before the Worker polls: the Sent ledger's IMAP connections (each
 * with Sent selected) and its index, and the templates' first render (React's and the layout's first run took 74 and
 * 50 ms here, later ones 8–20 ms). Without it the first cases of a burst opened the five connections inside their
 * workflow tasks while the mail servers took the burst: 0.5-0.8 s per claim for the connection alone, and those
 * tasks took 1.3-3.1 s in four runs, against 0.4-0.6 s with the warm-up (bench/burst.ts). The connections then stay
 * open (sent-ledger-connections.ts: KEEP_ALIVE_MS), so a burst after a quiet hour finds them too.
 * Bounded: an IMAP server that is slow or down delays polling by at most `waitMs`, the warm-up goes on behind it,
 * and the claims open whatever is still missing themselves. A failure is logged (the message only), never fatal.
 */
import type { SentLedger } from '../activities/sent-ledger.js';
import { renderCaseMail } from '../templates/index.js';
import { mailSamples } from '../templates/samples.js';

/** The mails every new case sends at once: rendered once per language before the first case. */
const FIRST_MAILS = /^(acknowledgment|approval-request)\.(de|en)$/;

async function renderFirstMails(): Promise<void> {
  for (const s of mailSamples().filter((m) => FIRST_MAILS.test(m.name))) await renderCaseMail(s.request, s.links);
}

/** How long the Worker waits for the warm-up before it polls: a slow IMAP server must not hold a restart up. */
const WARM_WAIT_MS = 1_500;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Resolves when the warm-up is done or after `waitMs`, whichever comes first; logs what it did. */
export async function warmUp({
  ledger,
  log,
  waitMs = WARM_WAIT_MS,
}: {
  ledger: SentLedger | undefined;
  log: (line: string) => void;
  waitMs?: number;
}): Promise<void> {
  const t0 = Date.now();
  const parts: Array<[string, Promise<void>]> = [['mail templates', renderFirstMails()]];
  if (ledger) parts.push(['Sent ledger', ledger.warm()]);
  const done = Promise.all(
    parts.map(([what, p]) =>
      p.then(
        () => `${what} ready`,
        (err: unknown) => `${what} not ready (${message(err)}); the first mails open it themselves`,
      ),
    ),
  ).then((lines) => log(`warm-up in ${Date.now() - t0} ms: ${lines.join('; ')}`));
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log(`warm-up: still under way after ${waitMs} ms; the worker polls now`);
      resolve();
    }, waitMs);
  });
  await Promise.race([done, waited]).finally(() => clearTimeout(timer));
}
