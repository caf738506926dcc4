/** Outcome and refusal pages of the link server. */
import type { TLanguage } from '../../workflows/case.js';
import { page } from './layout.js';

export function noticePage(language: TLanguage, title: string, lines: string[], kind: 'notice' | 'error'): string {
  return page(
    language,
    title,
    <section className={kind} role={kind === 'error' ? 'alert' : 'status'}>
      <h1>{title}</h1>
      {lines.map((l, i) => (
        <p key={i}>{l}</p>
      ))}
    </section>,
  );
}
