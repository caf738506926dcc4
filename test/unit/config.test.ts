import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../worker/config.js';
import { VALID_ENV } from '../helpers/config-env.js';

const valid = VALID_ENV;

describe('loadConfig', () => {
  it('requires TLS to mail servers off loopback, unless a setting opts out', () => {
    const remote = loadConfig(valid);
    expect(remote.mailbox.requireTLS).toBe(true);
    expect(remote.smtp.requireTLS).toBe(true);
    const local = loadConfig({ ...valid, IMAP_HOST: '127.0.0.1', SMTP_HOST: 'localhost' });
    expect(local.mailbox.requireTLS).toBe(false);
    expect(local.smtp.requireTLS).toBe(false);
    const optedOut = loadConfig({ ...valid, IMAP_REQUIRE_TLS: 'false', SMTP_REQUIRE_TLS: 'false' });
    expect([optedOut.mailbox.requireTLS, optedOut.smtp.requireTLS]).toEqual([false, false]);
    expect(loadConfig({ ...valid, SMTP_HOST: '::1', SMTP_REQUIRE_TLS: 'true' }).smtp.requireTLS).toBe(true);
  });

  it('applies the contract defaults', () => {
    const c = loadConfig(valid);
    expect(c.temporal).toMatchObject({ namespace: 'default', taskQueue: 'escalations' });
    expect(c.temporal.address).toBeUndefined();
    expect(c.mailbox).toMatchObject({ folders: ['INBOX'], secure: true, port: 993, tlsInsecure: false });
    expect(c.http).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000' });
  });

  it('runs 12 workflow tasks at once unless told, and names WORKER_MAX_WORKFLOW_TASKS when it is not a count', () => {
    expect(loadConfig(valid).maxWorkflowTasks).toBe(12);
    expect(loadConfig({ ...valid, WORKER_MAX_WORKFLOW_TASKS: '40' }).maxWorkflowTasks).toBe(40);
    // The SDK needs 2 with a workflow cache.
    expect(() => loadConfig({ ...valid, WORKER_MAX_WORKFLOW_TASKS: '1' })).toThrow(/WORKER_MAX_WORKFLOW_TASKS/);
    expect(() => loadConfig({ ...valid, WORKER_MAX_WORKFLOW_TASKS: 'many' })).toThrow(/WORKER_MAX_WORKFLOW_TASKS/);
  });

  it('reads flags as words: "false" is false', () => {
    const c = loadConfig({ ...valid, IMAP_SECURE: 'false', SMTP_SECURE: 'true', IMAP_TLS_INSECURE: 'no' });
    expect(c.mailbox.secure).toBe(false);
    expect(c.mailbox.port).toBe(143);
    expect(c.smtp.secure).toBe(true);
    expect(c.mailbox.tlsInsecure).toBe(false);
  });

  it('encrypts payloads by default; the codec endpoint only with a port, for the local Web UI unless told', () => {
    const c = loadConfig(valid);
    expect(c.payload).toEqual({ encryption: true, key: Buffer.from(valid.PAYLOAD_KEY, 'hex'), previousKeys: [] });
    const [a, b] = [randomBytes(32), randomBytes(32)];
    expect(
      loadConfig({ ...valid, PAYLOAD_PREVIOUS_KEYS: `${a.toString('hex')}, ${b.toString('base64')}` }).payload,
    ).toMatchObject({ previousKeys: [a, b] });
    expect(c.codec).toBeUndefined();
    const token = randomBytes(32);
    expect(loadConfig({ ...valid, CODEC_PORT: '8081', CODEC_AUTH_TOKEN: token.toString('base64') }).codec).toEqual({
      host: '127.0.0.1',
      port: 8081,
      origins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
      token,
    });
    expect(loadConfig({ ...valid, PAYLOAD_ENCRYPTION: 'off', PAYLOAD_KEY: '' }).payload).toEqual({ encryption: false });
  });

  it('requires PAYLOAD_KEY while encrypting and CODEC_AUTH_TOKEN with a codec endpoint, never deriving them', () => {
    const missing = () => loadConfig({ ...valid, PAYLOAD_KEY: '', CODEC_PORT: '8081', IMAP_HOST: '' });
    // The message says how to make the key, not only that it is missing.
    expect(missing).toThrowError(/PAYLOAD_KEY: required while PAYLOAD_ENCRYPTION is on; must be 32 random bytes/);
    expect(missing).toThrowError(/CODEC_AUTH_TOKEN: required with CODEC_PORT; .*openssl rand -hex 32/);
    expect(missing).toThrowError(/IMAP_HOST: missing \(required\)/);
  });

  it('accepts only 32 random bytes as 64 hex digits or 44 base64 characters', () => {
    const random = randomBytes(32);
    for (const ok of [random.toString('hex'), random.toString('hex').toUpperCase(), random.toString('base64')])
      expect(loadConfig({ ...valid, PAYLOAD_KEY: ok }).payload).toMatchObject({ key: random });
    for (const bad of [
      random.toString('hex').slice(1), // 63 digits
      randomBytes(33).toString('hex').slice(0, 66),
      randomBytes(31).toString('base64'),
      random.toString('base64url'),
      'a'.repeat(64), // 32 equal bytes: typed, not random
      '0123456789abcdef'.repeat(4),
      'correct horse battery staple, 32b',
    ]) {
      expect(() => loadConfig({ ...valid, PAYLOAD_KEY: bad }), bad).toThrowError(
        /PAYLOAD_KEY: must be 32 random bytes written as 64 hex digits or 44 base64 characters/,
      );
      expect(() => loadConfig({ ...valid, CODEC_PORT: '1', CODEC_AUTH_TOKEN: bad }), bad).toThrowError(
        /CODEC_AUTH_TOKEN: must be 32 random bytes/,
      );
    }
    expect(() => loadConfig({ ...valid, PAYLOAD_PREVIOUS_KEYS: `${random.toString('hex')},nope` })).toThrowError(
      /PAYLOAD_PREVIOUS_KEYS: each key must be 32 random bytes/,
    );
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ ...valid, TEMPORAL_ADDRESS: '', IMAP_MAILBOX: '' }).mailbox.folders).toEqual(['INBOX']);
  });

  it('reports every problem at once, naming each variable', () => {
    const run = () =>
      loadConfig({ ...valid, IMAP_HOST: '', LINK_SECRET: 'short', HTTP_PORT: 'eighty', IMAP_SECURE: 'maybe' });
    expect(run).toThrowError(/IMAP_HOST: missing \(required\)/);
    expect(run).toThrowError(/LINK_SECRET: must be at least 32 bytes/);
    expect(run).toThrowError(/HTTP_PORT:/);
    expect(run).toThrowError(/IMAP_SECURE:/);
  });

  it('parses durations and refuses nonsense', () => {
    expect(loadConfig({ ...valid, INTAKE_RECHECK: '45s' }).intake.recheck).toBe(45_000);
    expect(() => loadConfig({ ...valid, INTAKE_RECHECK: 'soon' })).toThrowError(
      /INTAKE_RECHECK: "soon" is not a duration/,
    );
  });
});

describe('ACK_RATE_LIMIT', () => {
  it('reads "N/period" and defaults to 5 per hour', () => {
    expect(loadConfig(valid).ackRateLimit).toEqual({ max: 5, windowMs: 3_600_000 });
    expect(loadConfig({ ...valid, ACK_RATE_LIMIT: '2/10m' }).ackRateLimit).toEqual({ max: 2, windowMs: 600_000 });
    expect(() => loadConfig({ ...valid, ACK_RATE_LIMIT: 'many' })).toThrowError(/ACK_RATE_LIMIT: must look like 5\/1h/);
  });
});
