/**
 * The admin CLI. Commands that only read files touch no server.
 *   nachfass classify FILE.eml [--support ADDRESS]   intake's verdict and reasons, as JSON
 *   nachfass assess FILE.eml [--policy FILE]         the policy's assessment of a mail, as JSON
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { classify } from '../activities/classify.js';
import { detectLanguage } from '../activities/language.js';
import { mailFacts } from '../activities/mail-facts.js';
import { domainOf } from '../activities/outgoing-headers.js';
import { parseRaw, summarize } from '../activities/parse.js';
import { assess } from '../workflows/assessment.js';
import { bareAddress } from './cases.js';
import { PROJECT_ROOT } from './config.js';
import { loadPolicy } from './policy.js';

const USAGE = `usage:
  nachfass classify FILE.eml [--support ADDRESS] [--language de|en]
  nachfass assess FILE.eml [--policy FILE]`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      support: { type: 'string' },
      language: { type: 'string' },
      policy: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command || !file) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const parsed = await parseRaw(readFileSync(file));
  const summary = summarize(parsed);
  const fallback = values.language === 'en' ? 'en' : 'de';
  const language = detectLanguage(summary.contentLanguage, `${summary.subject}\n${summary.text}`, fallback);

  if (command === 'classify') {
    const support = bareAddress(values.support ?? process.env.SUPPORT_ADDRESS ?? 'support@example.test');
    const verdict = classify(mailFacts(parsed), { ourDomain: domainOf(support), ourAddresses: [support] });
    const out = {
      file,
      ...verdict,
      language: language.language,
      languageReason: language.reason,
      from: summary.from?.address ?? null,
      subject: summary.subject,
      messageId: summary.messageId ?? null,
      attachments: summary.attachments,
      support,
    };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  if (command === 'assess') {
    const policyFile = values.policy ?? process.env.POLICY_FILE ?? `${PROJECT_ROOT}/policy/example.yaml`;
    const policy = loadPolicy(policyFile);
    console.log(
      JSON.stringify(
        { file, policy: policyFile, language: language.language, ...assess(summary, policy.rules) },
        null,
        2,
      ),
    );
    return 0;
  }
  console.error(`unknown command "${command}"\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
