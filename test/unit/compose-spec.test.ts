/**
 * docker-compose.yml against the Compose Specification's JSON schema (compose-spec/compose-spec,
 * schema/compose-spec.json), as the dclint package ships it (schemas/compose.schema.json; dclint's own
 * `update-compose-schema` copies it from that file), validated with Ajv. Docker cannot run here, so this is the
 * check that the file is one Compose accepts: every key known, every value of the right type. The broken copies
 * below show that the check fails when the file is wrong.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../worker/config.js';

const require = createRequire(import.meta.url);
const schemaFile = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $schema?: string; title?: string };
const composeFile = path.join(PROJECT_ROOT, 'docker-compose.yml');

/** The schema names its draft as https://json-schema.org/draft-07/schema; Ajv knows draft-07 under http://…#. */
function composeValidator() {
  // strictTypes off: the specification leaves `type: object` implicit beside some properties keywords.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  const draft07 = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  return ajv.compile(schema);
}
const validate = composeValidator();

/** The errors of a Compose document (YAML text), one line each; none when it is valid. */
function composeErrors(text: string): string[] {
  // Compose merges YAML anchors (`<<: *temporal-postgres`) before it validates; so does the parse here.
  const doc: unknown = YAML.parse(text, { merge: true });
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

describe('docker-compose.yml and the Compose Specification', () => {
  const text = readFileSync(composeFile, 'utf8');

  it('uses the specification’s schema', () => {
    expect(schema.title).toBe('Compose Specification');
  });

  it('is valid', () => {
    expect(composeErrors(text)).toEqual([]);
  });

  it.each([
    [
      'an unknown service key',
      (t: string) => t.replace('    restart: unless-stopped', '    restartt: unless-stopped'),
      'must NOT have additional properties',
    ],
    ['a port that is not a list', (t: string) => t.replace(/^( {4}ports:)\n {6}- .*$/m, '$1 7233'), 'must be array'],
    [
      'an unknown depends_on condition',
      (t: string) => t.replace('condition: service_healthy', 'condition: service_ready'),
      'must be equal to one of the allowed values',
    ],
    [
      'a typo at the top level',
      (t: string) => t.replace(/^services:$/m, 'service:'),
      'must NOT have additional properties',
    ],
  ])('fails on a broken copy: %s', (_, breakIt, message) => {
    const broken = breakIt(text);
    expect(broken).not.toBe(text);
    const errors = composeErrors(broken);
    expect(errors.join('\n')).toContain(message);
  });
});
