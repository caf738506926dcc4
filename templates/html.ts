/**
 * A minimal auto-escaping `html` tagged template: every interpolated value is escaped unless it is
 * already SafeHtml. Kept deliberately small; customer text must never reach a page or mail unescaped.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Markup known to be safe (built by `html`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Plain text with line breaks kept, escaped for HTML. */
export function paragraphs(text: string): SafeHtml {
  const parts = text
    .split(/\n{2,}/)
    .map((p) => html`<p>${p.split('\n').map((line, i) => (i ? [html`<br />`, line] : line))}</p>`);
  return html`${parts}`;
}
