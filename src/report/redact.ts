/**
 * The API key never leaves the process: every line printed and every file written goes through
 * a redactor that replaces the key, in every encoding it could appear in (raw, JSON-escaped,
 * XML-escaped, URL-encoded), including inside text that the server sent back.
 */
export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export function makeRedactor(secrets: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(xmlEscape(secret));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so that a form containing another (the key, and the key cut to its first half) is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, form) => out.split(form).join(REDACTED), text);
}
