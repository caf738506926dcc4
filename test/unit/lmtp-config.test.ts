/** INTAKE_LMTP_PORT / INTAKE_LMTP_HOST: the LMTP intake is off unless a port is given, and binds loopback by default. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../worker/config.js';
import { VALID_ENV } from '../helpers/config-env.js';

const valid = VALID_ENV;

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
