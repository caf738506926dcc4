/** Outcome and refusal pages of the link server. */
import type { TLanguage } from '../../workflows/case.js';
import { html } from '../html.js';
import { page } from './layout.js';

export function noticePage(language: TLanguage, title: string, lines: string[], kind: 'notice' | 'error'): string {
  return page(
    language,
    title,
    html`<section class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">
      <h1>${title}</h1>
      ${lines.map((l) => html`<p>${l}</p>`)}
    </section>`,
  );
}
