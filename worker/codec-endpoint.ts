/**
 * The Web UI's codec endpoint ("Codec Server"): POST /decode (and /encode, which the UI's signal and update forms
 * use) with `{"payloads": […]}`. Decoding reveals what the encryption protects, so every request needs the codec
 * credential, whatever its Origin: `Authorization: Bearer CODEC_AUTH_TOKEN`, or the browser session a person gets
 * at /login with that token. Every decode is logged (who, origin, how many payloads; never their content).
 */
import formbody from '@fastify/formbody';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isToken, registerLogin } from './codec-session.js';

export { CODEC_COOKIE } from './codec-session.js';

/** A payload as the Web UI's codec protocol writes it: proto3 JSON, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(String(v), 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export interface CodecRouteOptions {
  /** Browser origins (the Web UI) allowed to call the endpoint (CORS). Other origins get 403. */
  origins: readonly string[];
  /** The credential, CODEC_AUTH_TOKEN (32 bytes). */
  token: Buffer;
  /** Where every decode and every refusal is written: who, from where, how many payloads; never their content. */
  log: (line: string) => void;
  /** Seconds since the epoch; tests move it to see a session expire. */
  now?: () => number;
}

/**
 * The codec endpoint of the Temporal Web UI ("Codec Server"): POST /decode and /encode with `{"payloads": […]}`.
 * Decoding reveals what the encryption protects, so every call needs the credential, whatever its Origin:
 *
 * - `Authorization: Bearer <CODEC_AUTH_TOKEN>`: the `temporal` CLI (`--codec-auth`), scripts, a proxy in front;
 * - or the session cookie that `POST /login` with the token sets in a browser. The Web UI sends it when it fetches
 *   with credentials ("include cross-origin credentials"; TEMPORAL_CODEC_INCLUDE_CREDENTIALS for the UI image).
 *   The cookie is SameSite=Strict: the UI on 127.0.0.1:8233 and this endpoint on 127.0.0.1:8081 are the same
 *   site (ports do not count), a page of any other site never sends it.
 *
 * The Web UI of Temporal 2.42 can forward only its own login's access token (and only over https) or cookies;
 * it has no setting for a fixed bearer token, hence the cookie. /encode stays because the UI's "Send a Signal"
 * and update forms seal their input through it when a codec endpoint is set; it reveals nothing.
 * Browsers from other origins than `origins` are refused (CORS); listen on an internal address (CODEC_HOST).
 */
export function codecRoutes(app: FastifyInstance, codec: PayloadCodec, opts: CodecRouteOptions): void {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const where = (req: FastifyRequest): string => `origin ${req.headers.origin ?? 'none'}, client ${req.ip}`;

  app.register(formbody);
  const hasSession = registerLogin(app, { ...opts, now, where });
  /** Who the caller is, by the credential it shows; undefined without a valid one. */
  const caller = (req: FastifyRequest): string | undefined => {
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (auth !== undefined) return isToken(auth, opts.token) ? 'bearer token' : undefined;
    return hasSession(req) ? 'browser session' : undefined;
  };
  app.addHook('onRequest', async (req, reply) => {
    // The login page is opened and posted as a page of this endpoint's own origin, not by the UI.
    if (req.url.split('?')[0] === '/login') return;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!opts.origins.includes(origin)) return reply.code(403).send({ error: `origin ${origin} is not trusted` });
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'origin');
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
    }
    // Preflights carry no credentials (Fetch standard); the request that follows must.
    if (req.method === 'OPTIONS') return reply.code(204).send();
    if (caller(req) === undefined) {
      opts.log(`codec: refused ${req.method} ${req.url} without valid credentials (${where(req)})`);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="nachfass codec"')
        .send({ error: 'credentials required: Authorization: Bearer <CODEC_AUTH_TOKEN>, or log in at /login' });
    }
  });

  const route = (name: 'encode' | 'decode') =>
    app.post<{ Body: { payloads?: unknown } }>(`/${name}`, async (req, reply) => {
      const list = req.body?.payloads;
      if (!Array.isArray(list)) return reply.code(400).send({ error: 'expected {"payloads": [...]}' });
      const ns = req.headers['x-namespace'];
      opts.log(
        `codec: ${name} of ${list.length} payload${list.length === 1 ? '' : 's'} for ${caller(req) ?? '?'} (${where(req)}, namespace ${typeof ns === 'string' ? ns : '-'})`,
      );
      try {
        const out = await codec[name](list.map((p) => fromJson(p as JsonPayload)));
        return { payloads: out.map(toJson) };
      } catch (err) {
        return reply.code(422).send({ error: err instanceof Error ? err.message : String(err) });
      }
    });
  route('decode');
  route('encode');
}
