/**
 * A private Dovecot + Postfix for one test file (scripts/stack.sh with its own NACHFASS_STACK_DIR and free
 * ports): a test may stop and restart these servers without touching the shared stack other files use.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../worker/config.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export type TMailComponent = 'mail' | 'dovecot' | 'postfix';

export interface PrivateMailStack {
  dir: string;
  ports: { imap: number; lmtp: number; smtp: number; smtpDsn: number };
  /** `scripts/stack.sh up|down <component>` on this instance; resolves with the script's output. */
  up(component?: TMailComponent): Promise<string>;
  down(component?: TMailComponent): Promise<string>;
  /** Stops both servers and removes the directory. */
  destroy(): Promise<void>;
}

/** Distinct free ports (freePort may hand out the same one twice when asked in a row). */
async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts a private mail stack. The directory lives under /tmp with a short name: Dovecot's UNIX socket
 * paths must fit in 107 bytes, and the `mail` user must be able to traverse it.
 */
export async function startPrivateMailStack(
  prefix = 'nfx-',
  /** More settings of scripts/stack.sh, e.g. NACHFASS_INTAKE_LMTP_PORT. */
  extraEnv: Record<string, string> = {},
): Promise<PrivateMailStack> {
  const dir = mkdtempSync(path.join('/tmp', prefix));
  const [imap, lmtp, smtp, smtpDsn] = (await distinctPorts(4)) as [number, number, number, number];
  const env = {
    ...process.env,
    NACHFASS_STACK_DIR: dir,
    NACHFASS_IMAP_PORT: String(imap),
    NACHFASS_LMTP_PORT: String(lmtp),
    NACHFASS_SMTP_PORT: String(smtp),
    NACHFASS_SMTP_DSN_PORT: String(smtpDsn),
    ...extraEnv,
  };
  const script = path.join(PROJECT_ROOT, 'scripts', 'stack.sh');
  const stack = async (action: 'up' | 'down', component: TMailComponent): Promise<string> => {
    try {
      const { stdout, stderr } = await run('bash', [script, action, component], { env, timeout: 60_000 });
      return (stdout + stderr).trim();
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `scripts/stack.sh ${action} ${component} (private, ${dir}) failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
        {
          cause: err,
        },
      );
    }
  };
  const s: PrivateMailStack = {
    dir,
    ports: { imap, lmtp, smtp, smtpDsn },
    up: (c = 'mail') => stack('up', c),
    down: (c = 'mail') => stack('down', c),
    async destroy() {
      await stack('down', 'mail').catch((err: unknown) => console.error(err));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await s.up('mail');
  } catch (err) {
    await s.destroy();
    throw err;
  }
  return s;
}
