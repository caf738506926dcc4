/**
 * A TLS endpoint in front of a plain-text Temporal dev server, for tests: throwaway CAs and certificates made
 * with `openssl`, and a `node:tls` server that pipes each connection to the dev server's plain port.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  dir: string;
  /** The CA that signed the server and client certificates. */
  ca: string;
  /** Another CA, which signed nothing the server has. */
  otherCa: string;
  /** The server's certificate (names `temporal.test` only) and key. */
  serverCert: string;
  serverKey: string;
  /** A client certificate signed by `ca`, and one signed by `otherCa`. */
  clientCert: string;
  clientKey: string;
  strangerCert: string;
  strangerKey: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A new P-256 key in NAME.key, for `openssl req` (a CA's self-signed certificate or a leaf's request). */
const newKey = (name: string): string[] => [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
  '-keyout',
  `${name}.key`,
];

async function makeCa(dir: string, name: string): Promise<void> {
  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  await openssl(dir, [
    'req',
    '-x509',
    ...newKey(name),
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=Nachfass test ${name}`,
    ...ca,
  ]);
}

async function makeLeaf(dir: string, name: string, ca: string, ext: string): Promise<void> {
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  await openssl(dir, ['req', ...newKey(name), '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  const signed = [
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ];
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, ...signed, '-out', `${name}.crt`]);
}

/** Two CAs, a server certificate for `temporal.test` and client certificates from either CA, in a fresh directory. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nachfass-pki-'));
  await makeCa(dir, 'ca');
  await makeCa(dir, 'other-ca');
  const leaf = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  await makeLeaf(dir, 'server', 'ca', `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:temporal.test\n`);
  await makeLeaf(dir, 'client', 'ca', `${leaf}extendedKeyUsage=clientAuth\n`);
  await makeLeaf(dir, 'stranger', 'other-ca', `${leaf}extendedKeyUsage=clientAuth\n`);
  const f = (n: string): string => path.join(dir, n);
  return {
    dir,
    ca: f('ca.crt'),
    otherCa: f('other-ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    strangerCert: f('stranger.crt'),
    strangerKey: f('stranger.key'),
  };
}

export interface TlsProxy {
  /** host:port of the TLS endpoint. */
  address: string;
  /** Connections whose TLS handshake (and client certificate, under mTLS) the proxy accepted. */
  accepted: number;
  /** Handshakes the proxy refused, with the reason Node gave (e.g. no or unknown client certificate). */
  refused: string[];
  close(): Promise<void>;
}

/** A TLS server on a free loopback port piping to `target` (host:port); with `clientCa` it requires mTLS. */
export async function startTlsProxy(o: { target: string; pki: TestPki; clientCa?: string }): Promise<TlsProxy> {
  const [host, port] = o.target.split(':') as [string, string];
  const refused: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy: TlsProxy = { address: '', accepted: 0, refused, close: () => Promise.resolve() };
  const server = tls.createServer(
    {
      cert: readFileSync(o.pki.serverCert),
      key: readFileSync(o.pki.serverKey),
      // gRPC is HTTP/2: both the Node client and the SDK's core ask for it by ALPN.
      ALPNProtocols: ['h2'],
      ...(o.clientCa ? { ca: readFileSync(o.clientCa), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (client) => {
      proxy.accepted++;
      const upstream = net.connect(Number(port), host);
      sockets.add(client).add(upstream);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', (err) => refused.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as net.AddressInfo;
  Object.assign(proxy, {
    address: `127.0.0.1:${listening}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
