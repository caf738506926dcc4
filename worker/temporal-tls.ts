/**
 * Why a connection to Temporal failed, in words an operator can act on. The SDK's core names TLS errors
 * (unknown issuer, wrong name, certificate required); gRPC in Node only times out, so a TLS handshake of our
 * own with the same settings finds the reason. The API key is never part of a message.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TConfig } from './config.js';

export class TemporalConnectError extends Error {
  override name = 'TemporalConnectError';
}

/** What a TLS handshake with the configured settings ran into; undefined when it was accepted. */
export async function probeTls(t: TConfig['temporal'], address: string, waitMs = 1000): Promise<string | undefined> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  const servername = t.tls?.serverName ?? (net.isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(servername ? { servername } : {}),
      ...(t.tls?.ca ? { ca: t.tls.ca } : {}),
      ...(t.tls?.cert && t.tls.key ? { cert: t.tls.cert, key: t.tls.key } : {}),
      // In plain-text mode the question is only whether the server speaks TLS at all.
      ...(t.tls ? {} : { rejectUnauthorized: false }),
    });
    let timer: NodeJS.Timeout | undefined;
    const done = (result: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(5000, () => done('no TLS handshake within 5 s'));
    socket.on('error', (err: NodeJS.ErrnoException) => done(`${err.code ?? 'error'}: ${err.message.trim()}`));
    socket.on('close', () => done('the server closed the connection during the TLS handshake'));
    // TLS 1.3: the server judges our certificate after the handshake, so its refusal comes a moment later.
    socket.on('secureConnect', () => (timer = setTimeout(() => done(undefined), waitMs)));
  });
}

/** Hints for an error text (from the SDK or from probeTls). */
function hints(t: TConfig['temporal'], text: string): string[] {
  const out: string[] = [];
  if (/certificate ?required|peer did not return a certificate|alert number 116/i.test(text))
    out.push('the server requires a client certificate (mTLS): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY');
  else if (
    t.tls?.cert &&
    /unknown ca|bad certificate|alert number 4[28]|ConnectionReset|UnexpectedEof|closed the connection/i.test(text)
  )
    out.push('the server refused our client certificate: is TEMPORAL_TLS_CERT signed by the CA the server trusts?');
  if (/UnknownIssuer|self[- ]signed|unable to (get|verify)|UNABLE_TO_VERIFY|certificate verify failed/i.test(text))
    out.push(
      t.tls?.ca
        ? "the server's certificate is not signed by TEMPORAL_TLS_CA"
        : "the server's certificate is not signed by a CA this machine trusts: set TEMPORAL_TLS_CA",
    );
  if (/NotValidForName|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate/i.test(text))
    out.push("the server's certificate does not carry the name we asked for: set TEMPORAL_TLS_SERVER_NAME");
  if (/wrong version number|packet length too long|ERR_SSL_/i.test(text) && !out.length)
    out.push('the server does not speak TLS on this port: set TEMPORAL_TLS=false, or use its TLS port');
  if (/Unauthenticated|PermissionDenied|permission denied|unauthorized|\b40[13]\b/i.test(text))
    out.push('check TEMPORAL_API_KEY and TEMPORAL_NAMESPACE');
  return out;
}

/**
 * The error start-up reports for a failed connection to `address`: how we tried (TLS, client certificate), what
 * failed, and what to check. `probe`: the outcome of probeTls (undefined: a handshake was accepted, so the server speaks TLS).
 */
export function explainConnectError(
  t: TConfig['temporal'],
  address: string,
  err: unknown,
  probe: string | undefined,
): TemporalConnectError {
  const redact = (s: string): string =>
    (t.apiKey ? s.split(t.apiKey).join('[API key]') : s).replace(/\s+/g, ' ').trim();
  const text = redact(err instanceof Error ? err.message : String(err));
  const how = t.tls
    ? `over TLS${t.tls.cert ? ' with the client certificate TEMPORAL_TLS_CERT' : ' without a client certificate'}`
    : 'in plain text';
  const found = probe !== undefined ? redact(probe) : undefined;
  const tips = hints(t, `${text} ${found ?? ''}`);
  if (!t.tls && probe === undefined && !tips.length)
    tips.push('the server speaks TLS on this port: set TEMPORAL_TLS=true');
  const detail = t.tls && found ? `; TLS handshake: ${found}` : '';
  return new TemporalConnectError(
    `cannot connect to Temporal at ${address} ${how}: ${text}${detail}${tips.length ? ` (${tips.join('; ')})` : ''}`,
    { cause: err },
  );
}
