import { describe, expect, it } from 'vitest';
import { ProcessOutput } from '../../worker/process-output.js';

describe("a child process's output for an error message", () => {
  it('keeps short output whole, in order, across chunks and streams', () => {
    const out = new ProcessOutput(10);
    out.add('abc');
    out.add(Buffer.from('def'));
    out.add('gh');
    expect(String(out)).toBe('abcdefgh');
  });

  it('keeps output of up to twice the bound whole: nothing is left out, so no ellipsis', () => {
    const out = new ProcessOutput(4);
    out.add('abcdef');
    out.add('gh');
    expect(String(out)).toBe('abcdefgh');
  });

  it("keeps the first and the last characters of long output, a Go panic's cause and its end", () => {
    const out = new ProcessOutput(6);
    out.add('panic: listen tcp: address already in use\n');
    for (let i = 0; i < 100; i++) out.add(`frame ${i}\n`);
    out.add('exit 2');
    expect(String(out)).toBe('panic:\n…\nexit 2');
  });

  it('cuts in the middle of a chunk that crosses the head', () => {
    const out = new ProcessOutput(3);
    out.add('ab');
    out.add('cdefghij');
    expect(String(out)).toBe('abc\n…\nhij');
  });
});
