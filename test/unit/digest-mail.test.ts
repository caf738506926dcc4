/** The reminder digest mail in both languages: golden files test/golden/reminder-digest.{de,en}.{txt,html}. */
import { pretty } from '@react-email/render';
import { describe, expect, it } from 'vitest';
import { digestSamples } from '../../templates/digest-samples.js';
import { renderDraft } from '../../templates/layout.js';

describe('the reminder digest', () => {
  it.each(digestSamples().map((s) => [s.name, s] as const))(
    '%s matches its golden files, soonest due first',
    async (name, s) => {
      const mail = await renderDraft(s.draft);
      expect(mail.text.indexOf('M8TTV16PCN')).toBeLessThan(mail.text.indexOf('Z2C8N5T1WB'));
      await expect(`Subject: ${mail.subject}\n\n${mail.text}`).toMatchFileSnapshot(`../golden/${name}.txt`);
      await expect(await pretty(mail.html)).toMatchFileSnapshot(`../golden/${name}.html`);
    },
  );
});
