/** The Temporal TLS, mTLS and API key settings: validated at start-up, each problem naming its variable. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../worker/config.js';
import { connectOptions } from '../../worker/temporal-connection.js';
import { VALID_ENV } from '../helpers/config-env.js';

const valid = { ...VALID_ENV, TEMPORAL_ADDRESS: 'temporal.example.test:7233' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'nachfass-tls-conf-'));
const pem = (name: string, label: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`);
  return file;
};
const cert = pem('client.crt', 'CERTIFICATE');
const key = pem('client.key', 'PRIVATE KEY');
const ca = pem('ca.crt', 'CERTIFICATE');
const API_KEY = 'tcld-secret-api-key-value-1234567890';

/** The start-up message for an environment, or undefined when it is accepted. */
function refusal(env: Record<string, string>): string | undefined {
  try {
    loadConfig({ ...valid, ...env });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('Temporal connection settings', () => {
  it('connects in plain text unless told, and with TLS when TEMPORAL_TLS is on', () => {
    expect(connectOptions(loadConfig(valid).temporal, valid.TEMPORAL_ADDRESS)).toEqual({
      address: valid.TEMPORAL_ADDRESS,
    });
    const c = loadConfig({ ...valid, TEMPORAL_TLS: 'true' });
    expect(connectOptions(c.temporal, valid.TEMPORAL_ADDRESS)).toEqual({ address: valid.TEMPORAL_ADDRESS, tls: {} });
  });

  it('reads mTLS files at start-up and passes them with the server name to the connection', () => {
    const c = loadConfig({
      ...valid,
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    const o = connectOptions(c.temporal, valid.TEMPORAL_ADDRESS);
    expect(o.tls?.serverNameOverride).toBe('frontend.internal');
    expect(o.tls?.serverRootCACertificate?.toString()).toContain('BEGIN CERTIFICATE');
    expect(o.tls?.clientCertPair?.key.toString()).toContain('BEGIN PRIVATE KEY');
    expect(o.apiKey).toBeUndefined();
  });

  it('takes an API key as implying TLS (Temporal Cloud)', () => {
    const c = loadConfig({ ...valid, TEMPORAL_API_KEY: API_KEY, TEMPORAL_NAMESPACE: 'acme.a1b2c' });
    expect(connectOptions(c.temporal, valid.TEMPORAL_ADDRESS)).toEqual({
      address: valid.TEMPORAL_ADDRESS,
      tls: {},
      apiKey: API_KEY,
    });
  });

  it('takes a certificate only with its key, and the other way round', () => {
    expect(refusal({ TEMPORAL_TLS_CERT: cert })).toMatch(
      /TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
    expect(refusal({ TEMPORAL_TLS_KEY: key })).toMatch(
      /TEMPORAL_TLS_CERT: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
  });

  it('stops start-up on a missing or non-PEM file, naming the variable', () => {
    expect(refusal({ TEMPORAL_TLS_CA: path.join(dir, 'nope.crt') })).toMatch(
      /TEMPORAL_TLS_CA: cannot read the file .*nope\.crt \(ENOENT\)/,
    );
    const notPem = path.join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(refusal({ TEMPORAL_TLS_CERT: notPem, TEMPORAL_TLS_KEY: key })).toMatch(
      /TEMPORAL_TLS_CERT: .* is not a PEM file/,
    );
    expect(refusal({ TEMPORAL_TLS_KEY: dir, TEMPORAL_TLS_CERT: cert })).toMatch(
      /TEMPORAL_TLS_KEY: cannot read the file .*\(EISDIR\)/,
    );
  });

  it('refuses an API key or certificates with TLS switched off, and never repeats the key', () => {
    const msg = refusal({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: API_KEY });
    expect(msg).toMatch(/TEMPORAL_TLS: is off, but TEMPORAL_API_KEY needs TLS/);
    expect(msg).not.toContain(API_KEY);
    expect(refusal({ TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA: ca })).toMatch(
      /TEMPORAL_TLS: is off, but TEMPORAL_TLS_CA needs TLS/,
    );
    expect(refusal({ TEMPORAL_TLS: 'maybe' })).toMatch(/TEMPORAL_TLS: /);
  });

  it('refuses TLS settings for the embedded dev server (no TEMPORAL_ADDRESS)', () => {
    expect(refusal({ TEMPORAL_ADDRESS: '', TEMPORAL_TLS: 'true' })).toMatch(
      /TEMPORAL_ADDRESS: required with TEMPORAL_TLS/,
    );
    expect(refusal({ TEMPORAL_ADDRESS: '', TEMPORAL_API_KEY: API_KEY })).toMatch(/TEMPORAL_ADDRESS: required with/);
  });
});
