/**
 * The process's way to Temporal: the embedded dev server when TEMPORAL_ADDRESS is unset, the sealing data
 * converter (payloads and failure messages through the codec), the Client, and the Web UI's codec endpoint.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type TLSConfig } from '@temporalio/worker';
import Fastify from 'fastify';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { codecRoutes } from './codec-endpoint.js';
import { EncryptionCodec, FAILURE_CONVERTER_PATH } from './codec.js';
import { explainConnectError, probeTls } from './temporal-tls.js';
import type { TConfig } from './config.js';
import { startDevServer, type DevServer } from './dev-server.js';

/** Registers what must be undone when the process stops (in reverse order). */
export type TCleanup = (c: () => Promise<unknown> | unknown) => void;

export interface TemporalConnection {
  address: string;
  dev?: DevServer;
  client: Client;
  codec?: EncryptionCodec;
  /** Shared by the Client and the Worker. */
  dataConverter?: { payloadCodecs: EncryptionCodec[]; failureConverterPath: string };
  /** Whether the server knows every custom search attribute a case upserts. */
  searchAttributes: boolean;
}

export async function connectTemporal(
  config: TConfig,
  log: (line: string) => void,
  cleanup: TCleanup,
): Promise<TemporalConnection> {
  let dev: DevServer | undefined;
  let address = config.temporal.address;
  if (!address) {
    dev = await startDevServer({
      ...config.temporal.dev,
      // The embedded server's Web UI decrypts through our codec endpoint.
      ...(config.payload.encryption && config.codec
        ? { codecEndpoint: `http://${config.codec.host}:${config.codec.port}` }
        : {}),
      dbFile: config.temporal.dev.dbFile,
      namespace: config.temporal.namespace,
      onRetry: (reason, attempt, of) =>
        log(`embedded Temporal dev server: a port was taken, starting again (try ${attempt} of ${of}): ${reason}`),
    });
    const started = dev;
    cleanup(() => started.stop());
    address = dev.address;
    log(`embedded Temporal dev server on ${address}, Web UI ${dev.uiUrl}`);
  }
  // Every payload this process sends to Temporal is sealed, failure messages included (their common
  // attributes become a payload, see worker/failure-converter.ts); the worker and the client share the codec.
  const codec = config.payload.encryption
    ? new EncryptionCodec(config.payload.key, config.payload.previousKeys)
    : undefined;
  const dataConverter = codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
  const connection = await connectClient(config.temporal, address);
  cleanup(() => connection.close());
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    ...(dataConverter ? { dataConverter } : {}),
  });
  const res = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
  const known = new Set(Object.keys(res.customAttributes ?? {}));
  const searchAttributes = CASE_SEARCH_ATTRIBUTES.every((a) => known.has(a.name));
  if (!searchAttributes)
    log(
      'the Temporal server lacks the custom search attributes (stack/search-attributes.txt): cases will not set them',
    );
  return {
    address,
    ...(dev ? { dev } : {}),
    client,
    ...(codec ? { codec } : {}),
    ...(dataConverter ? { dataConverter } : {}),
    searchAttributes,
  };
}

export { TemporalConnectError } from './temporal-tls.js';

/** The options both kinds of connection take: the address, TLS (mTLS) and the API key (embedded server: none). */
export function connectOptions(
  t: TConfig['temporal'],
  address: string,
): { address: string; tls?: TLSConfig; apiKey?: string } {
  // The embedded dev server (no TEMPORAL_ADDRESS) speaks plain text; the rules in config-temporal.ts keep TLS off it.
  if (!t.address || !t.tls) return { address };
  const tls: TLSConfig = {
    ...(t.tls.serverName ? { serverNameOverride: t.tls.serverName } : {}),
    ...(t.tls.ca ? { serverRootCACertificate: t.tls.ca } : {}),
    ...(t.tls.cert && t.tls.key ? { clientCertPair: { crt: t.tls.cert, key: t.tls.key } } : {}),
  };
  return { address, tls, ...(t.apiKey ? { apiKey: t.apiKey } : {}) };
}

/** The Client's connection (gRPC in Node), with TLS and the API key when configured. */
export async function connectClient(t: TConfig['temporal'], address: string): Promise<Connection> {
  try {
    return await Connection.connect(connectOptions(t, address));
  } catch (err) {
    // gRPC in Node only says "Failed to connect before the deadline": a TLS handshake of our own says why.
    throw explainConnectError(t, address, err, await probeTls(t, address));
  }
}

/** The Worker's connection (the SDK's native core), with the same TLS and API key. */
export async function connectWorker(t: TConfig['temporal'], address: string): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectOptions(t, address));
  } catch (err) {
    throw explainConnectError(t, address, err, await probeTls(t, address));
  }
}

/** The Web UI's codec endpoint, when CODEC_PORT is set and payloads are sealed; its URL. */
export async function startCodecEndpoint(
  codec: EncryptionCodec | undefined,
  config: TConfig,
  log: (line: string) => void,
  cleanup: TCleanup,
): Promise<string | undefined> {
  if (!codec || !config.codec) return undefined;
  const server = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  codecRoutes(server, codec, { origins: config.codec.origins, token: config.codec.token, log });
  const url = await server.listen({ host: config.codec.host, port: config.codec.port });
  cleanup(() => server.close());
  log(
    `codec endpoint for the Web UI on ${url} (origins ${config.codec.origins.join(', ')}; ` +
      `Authorization: Bearer CODEC_AUTH_TOKEN, or a browser login at ${url}/login)`,
  );
  return url;
}
