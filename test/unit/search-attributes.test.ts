import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

const CLI_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime', BOOL: 'Bool' };

describe('search attributes', () => {
  it('the workflow upserts exactly those the stack registers (stack/search-attributes.txt)', () => {
    const registered = readFileSync(path.join(PROJECT_ROOT, 'stack', 'search-attributes.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(CASE_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${CLI_TYPE[a.type]}`).sort()).toEqual(registered.sort());
  });
});
