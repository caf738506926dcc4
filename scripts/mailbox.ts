/** `npm run mailbox -- ADDRESS [FOLDER]`: prints the mails in a mailbox of the local stack, newest last. */
import { readFolder } from './lib/dev-mail.js';

async function main(): Promise<void> {
  const [address, folder = 'INBOX'] = process.argv.slice(2);
  if (!address) throw new Error('usage: npm run mailbox -- ADDRESS [FOLDER]   (e.g. kunde1@example.test)');
  const mails = await readFolder(address, folder);
  if (mails.length === 0) console.log(`${address} ${folder}: empty`);
  for (const { uid, parsed: m } of mails) {
    console.log(
      `──── ${folder} #${uid} ─ ${m.date?.toISOString() ?? ''}\nFrom: ${m.from?.text ?? ''}\nTo: ${
        Array.isArray(m.to) ? m.to.map((t) => t.text).join(', ') : (m.to?.text ?? '')
      }\nSubject: ${m.subject ?? ''}\n\n${m.text?.trim() ?? ''}\n`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
