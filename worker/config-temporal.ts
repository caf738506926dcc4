/**
 * The settings for a secured Temporal frontend: TLS (server verification with a private CA and a server name),
 * mTLS (a client certificate and its key) and Temporal Cloud's API key. Files are read at start-up, so that a
 * missing or unreadable one stops start-up naming its variable; their contents are never logged.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ZFlag } from './config-values.js';

/** A PEM file (certificate or key), read at start-up: its bytes. */
export const ZPemFile = z.string().transform((file, ctx) => {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    ctx.addIssue({ code: 'custom', message: `cannot read the file ${file} (${code})` });
    return z.NEVER;
  }
  if (!pem.toString('latin1').includes('-----BEGIN ')) {
    ctx.addIssue({ code: 'custom', message: `${file} is not a PEM file (no "-----BEGIN" line)` });
    return z.NEVER;
  }
  return pem;
});

export const TEMPORAL_TLS_ENV = {
  /** On: TLS to TEMPORAL_ADDRESS. Unset: on when any TLS file, the server name or an API key is given. */
  TEMPORAL_TLS: ZFlag.optional(),
  /** The client certificate for mTLS (PEM), with TEMPORAL_TLS_KEY. */
  TEMPORAL_TLS_CERT: ZPemFile.optional(),
  TEMPORAL_TLS_KEY: ZPemFile.optional(),
  /** The CA that signed the server's certificate (PEM); unset: the system's trusted CAs. */
  TEMPORAL_TLS_CA: ZPemFile.optional(),
  /** The name the server's certificate must carry (and SNI), when it is not the host of TEMPORAL_ADDRESS. */
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  /** Temporal Cloud's API key, sent as `Authorization: Bearer …`; implies TLS. */
  TEMPORAL_API_KEY: z.string().optional(),
};

export interface TemporalTlsEnv {
  TEMPORAL_ADDRESS?: string | undefined;
  TEMPORAL_TLS?: boolean | undefined;
  TEMPORAL_TLS_CERT?: Buffer | undefined;
  TEMPORAL_TLS_KEY?: Buffer | undefined;
  TEMPORAL_TLS_CA?: Buffer | undefined;
  TEMPORAL_TLS_SERVER_NAME?: string | undefined;
  TEMPORAL_API_KEY?: string | undefined;
}

/** How this process reaches a secured frontend: `tls` undefined means plain text. */
export interface TemporalSecurity {
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string };
  /** Never logged, never put into an error message. */
  apiKey?: string;
}

/** Whether TLS is on: asked for, or implied by any TLS setting or the API key. */
function tlsWanted(e: TemporalTlsEnv): boolean {
  return (
    e.TEMPORAL_TLS ??
    (e.TEMPORAL_TLS_CERT !== undefined ||
      e.TEMPORAL_TLS_CA !== undefined ||
      e.TEMPORAL_TLS_SERVER_NAME !== undefined ||
      e.TEMPORAL_API_KEY !== undefined)
  );
}

/** The rules between the settings: cert and key together, TLS only towards TEMPORAL_ADDRESS, the API key over TLS. */
export function temporalTlsRules(e: TemporalTlsEnv, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined))
    issue(
      e.TEMPORAL_TLS_CERT === undefined ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its private key)',
    );
  const given = Object.keys(TEMPORAL_TLS_ENV).filter(
    (k) => k !== 'TEMPORAL_TLS' && e[k as keyof TemporalTlsEnv] !== undefined,
  );
  if (e.TEMPORAL_TLS === false && given.length > 0)
    issue(
      'TEMPORAL_TLS',
      `is off, but ${given.join(', ')} need${given.length === 1 ? 's' : ''} TLS (an API key must not travel in plain text)`,
    );
  if (e.TEMPORAL_ADDRESS === undefined && (tlsWanted(e) || given.length > 0))
    issue(
      'TEMPORAL_ADDRESS',
      'required with TEMPORAL_TLS* or TEMPORAL_API_KEY (the embedded dev server speaks plain text)',
    );
}

/** The typed form of the settings (after validation). */
export function temporalSecurity(e: TemporalTlsEnv): TemporalSecurity {
  if (!tlsWanted(e)) return {};
  return {
    tls: {
      ...(e.TEMPORAL_TLS_CA ? { ca: e.TEMPORAL_TLS_CA } : {}),
      ...(e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY ? { cert: e.TEMPORAL_TLS_CERT, key: e.TEMPORAL_TLS_KEY } : {}),
      ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
    },
    ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
  };
}
