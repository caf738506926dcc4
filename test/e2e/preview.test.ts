/** `nachfass preview` with Debian's Chromium: every mail and page becomes a PNG someone can look at. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestSamples } from '../../templates/digest-samples.js';
import { mailSamples, pageSamples } from '../../templates/samples.js';
import { renderPreview } from '../../worker/preview.js';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the preview', () => {
  let out = '';
  afterAll(async () => out && rm(out, { recursive: true }));

  it('renders every mail (HTML, text, PNG 640 px wide) and every page (PNG 390 px wide)', async () => {
    out = await mkdtemp(path.join(tmpdir(), 'nachfass-preview-'));
    const results = await renderPreview({ out, png: true });
    const mails = [...mailSamples().map((s) => s.name), ...digestSamples().map((d) => d.name)];
    const pages = pageSamples().map((p) => p.name);
    expect(results.map((r) => r.name)).toEqual([...mails, ...pages]);
    const files = new Set(await readdir(out));
    for (const name of mails) {
      for (const ext of ['html', 'txt', 'png']) expect(files, `${name}.${ext}`).toContain(`${name}.${ext}`);
      const size = pngSize(await readFile(path.join(out, `${name}.png`)));
      expect(size.width).toBe(640);
      expect(size.height).toBeGreaterThan(300);
    }
    for (const name of pages) expect(pngSize(await readFile(path.join(out, `${name}.png`))).width).toBe(390);
    // The follow-up's rating row is there to see: five links in the HTML the PNG was taken from.
    const followUp = await readFile(path.join(out, 'follow-up.de.html'), 'utf8');
    expect(followUp.match(/href="https:\/\/nachfass\.example\.test\/feedback\//g)).toHaveLength(5);
  });
});
