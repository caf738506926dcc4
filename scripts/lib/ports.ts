import { createServer } from 'node:net';
/** Ports of the local mail stack (scripts/stack.sh), overridable like there. */
export const mailPorts = {
  imap: Number(process.env.NACHFASS_IMAP_PORT ?? 1143),
  lmtp: Number(process.env.NACHFASS_LMTP_PORT ?? 2424),
  smtp: Number(process.env.NACHFASS_SMTP_PORT ?? 2525),
  /** Accepts unknown recipients and bounces them later: real delivery reports (RFC 3464). */
  smtpDsn: Number(process.env.NACHFASS_SMTP_DSN_PORT ?? 2526),
};

/** Every mailbox of the local stack accepts this password (loopback-only development stack). */
export const STACK_PASSWORD = 'nachfass';

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}
