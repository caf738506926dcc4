import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { parseSearchAttributes } from '../../worker/dev-server.js';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

const CLI_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime', BOOL: 'Bool' };

describe('search attributes', () => {
  it('the workflow upserts exactly those the stack registers (stack/search-attributes.txt)', () => {
    const file = path.join(PROJECT_ROOT, 'stack', 'search-attributes.txt');
    const registered = parseSearchAttributes(readFileSync(file, 'utf8'), file);
    expect(CASE_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${CLI_TYPE[a.type]}`).sort()).toEqual(registered.sort());
  });

  it('reads Name=Type lines, leaving out blank lines and comments', () => {
    expect(parseSearchAttributes('# cases\nPriority=Keyword\n\n  Stalled=Bool  \n', 'sa.txt')).toEqual([
      'Priority=Keyword',
      'Stalled=Bool',
    ]);
  });

  it.each([
    ['Priority', 'sa.txt:2: "Priority" is not Name=Type'],
    ['Priority = Keyword', 'sa.txt:2: "Priority = Keyword" is not Name=Type'],
    ['Priority=Keyword --ui-port=1', 'is not Name=Type'],
    ['Priority=keyword', 'has the type keyword, not one of Text, Keyword'],
    ['Due-At=Datetime', 'is not Name=Type'],
    ['Stalled=Bool', 'names Stalled a second time'],
  ])('refuses the line %j, naming file and line', (line, message) => {
    expect(() => parseSearchAttributes(`Stalled=Bool\n${line}\n`, 'sa.txt')).toThrow(message);
  });
});
