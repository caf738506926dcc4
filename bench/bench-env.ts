/**
 * The environment of the worker a benchmark starts: loopback mail (the shared stack unless other ports are given),
 * a task queue and keys of its own, a free HTTP port, and acknowledgments not rate-limited per sender. `extra`
 * adds or overrides single variables. (The tests have theirs in test/helpers/app.ts, which needs vitest.)
 */
import { randomBytes } from 'node:crypto';
import { freePort, mailPorts, STACK_PASSWORD } from '../scripts/lib/ports.js';

export interface BenchEnvOptions {
  temporal: string;
  taskQueue: string;
  /** The support mailbox's address (its IMAP user). */
  support: string;
  imapPort?: number;
  smtpPort?: number;
}

export async function benchEnv(
  o: BenchEnvOptions,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    TEMPORAL_ADDRESS: o.temporal,
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(o.imapPort ?? mailPorts.imap),
    IMAP_SECURE: 'false',
    IMAP_USER: o.support,
    IMAP_PASSWORD: STACK_PASSWORD,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(o.smtpPort ?? mailPorts.smtp),
    SMTP_SECURE: 'false',
    SUPPORT_ADDRESS: `Kundenservice <${o.support}>`,
    LINK_SECRET: randomBytes(32).toString('hex'),
    PAYLOAD_KEY: randomBytes(32).toString('hex'),
    HTTP_PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ACK_RATE_LIMIT: '1000/1h',
    ...extra,
  };
}
