/** INTAKE_LMTP_PORT / INTAKE_LMTP_HOST: the LMTP intake is off unless a port is given, and binds loopback by default. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../worker/config.js';

const valid = {
  IMAP_HOST: 'imap.example.test',
  IMAP_USER: 'support@example.test',
  IMAP_PASSWORD: 'pw',
  SMTP_HOST: 'smtp.example.test',
  SUPPORT_ADDRESS: 'Kundenservice <support@example.test>',
  LINK_SECRET: 'ab'.repeat(32),
  PAYLOAD_KEY: '8f3a1c0e5b7d9f2468ace13579bdf0246813579bdf02468ace13579bdf024681',
};

describe('the LMTP intake settings', () => {
  it('are off by default', () => {
    expect(loadConfig(valid).lmtp).toBeUndefined();
    expect(loadConfig({ ...valid, INTAKE_LMTP_HOST: '0.0.0.0' }).lmtp).toBeUndefined();
  });

  it('listen on loopback unless INTAKE_LMTP_HOST says otherwise', () => {
    expect(loadConfig({ ...valid, INTAKE_LMTP_PORT: '2424' }).lmtp).toEqual({ host: '127.0.0.1', port: 2424 });
    expect(loadConfig({ ...valid, INTAKE_LMTP_PORT: '2424', INTAKE_LMTP_HOST: '10.0.0.5' }).lmtp).toEqual({
      host: '10.0.0.5',
      port: 2424,
    });
  });

  it('stop start-up on a port that is not one, naming the variable', () => {
    for (const bad of ['lmtp', '70000', '-1']) {
      expect(() => loadConfig({ ...valid, INTAKE_LMTP_PORT: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...valid, INTAKE_LMTP_PORT: bad })).toThrow(/INTAKE_LMTP_PORT/);
    }
  });
});
