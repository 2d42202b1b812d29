/**
 * Fidelity (--compare-with): every case of the run is sent to a second target, the reference, right
 * after the target answered it (exchange/perform.ts), in the same order, so that the reference's
 * asset goes through the same updates. The reference's request is the same case made for the
 * reference: its base URL, its key (a derived key derived from its key), and its asset's id
 * wherever the case names the run's asset.
 */
import type { Case } from '../generators/case.ts';

/** The ways a case may write an id: as it is, and without hyphens; each in lower and upper case. */
function forms(id: string): string[] {
  const lower = id.toLowerCase();
  const bare = lower.replace(/-/g, '');
  return [lower, lower.toUpperCase(), bare, bare.toUpperCase()];
}

/**
 * Text with one asset's id swapped for another's, in every form a case writes it (as it is, without
 * hyphens, in either case, or cut one character short as a malformed id is), each form for the
 * same form of the other.
 */
export function swapId(text: string, from: string, to: string): string {
  if (from.toLowerCase() === to.toLowerCase()) return text;
  const pairs = forms(from).map((f, i): [string, string] => [f, forms(to)[i] as string]);
  let out = text;
  for (const [f, t] of pairs) out = out.split(f).join(t);
  for (const [f, t] of pairs) out = out.split(f.slice(0, -1)).join(t.slice(0, -1));
  return out;
}

/** The case as the reference is sent it: its asset's id (`to`) wherever the case names the run's asset (`from`). */
export function referenceCase(c: Case, from: string, to: string): Case {
  const swap = (text: string): string => swapId(text, from, to);
  // (most cases name no id in their body: those are kept as they are, not parsed again)
  const swapValue = <T>(value: T): T => {
    const text = JSON.stringify(value);
    const swapped = swap(text);
    return swapped === text ? value : (JSON.parse(swapped) as T);
  };
  const body: Case['body'] =
    c.body.kind === 'json'
      ? { kind: 'json', value: swapValue(c.body.value) }
      : {
          kind: 'raw',
          text: swap(c.body.text),
          ...(c.body.sent !== undefined ? { sent: swapValue(c.body.sent) } : {}),
        };
  return { ...c, id: { ...c.id, value: swap(c.id.value) }, body };
}
