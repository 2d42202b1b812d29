/**
 * Fidelity (--compare-with): where the target and the reference answered the same case differently,
 * grouped by the kind of case and what differs, each difference tagged: `fault` (the target's answer
 * breaks the contract), `reference fault` (the reference's does), or `allowed, differs` (both are
 * allowed: 400 or 404, tags sorted or not, mime_type kept or ignored). Two conforming servers may
 * differ; a client built on one may still break on the other.
 */

import { judge, SEQUENCE_CHECKS } from '../checks/checks.ts';
import { type CheckContext, checkContext } from '../checks/context.ts';
import type { Contract } from '../contract/load.ts';
import { swapId } from '../exchange/mirror.ts';
import type { Exchange, MirrorPair } from '../exchange/perform.ts';
import { describeCase } from '../generators/case.ts';
import { isJsonObject, jsonEqual, sameSet, show } from '../json.ts';
import { requirement } from '../requirements.ts';
import { curlLine } from './curl.ts';

/** What may differ between two answers to the same case, in the order they are looked at. */
export const ASPECTS = [
  'answer',
  'status',
  'content-type',
  'retry-after',
  'error-code',
  'members',
  'echo',
  'tags-order',
] as const;
export type Aspect = (typeof ASPECTS)[number];

type DifferenceTag = 'fault' | 'allowed, differs' | 'reference fault';

export interface FidelityDifference {
  /** The kind of case: the requirement its status is judged by, or its edge row. */
  caseClass: string;
  aspect: Aspect;
  tag: DifferenceTag;
  /** Cases of this class that differed so. */
  count: number;
  /** The first of them: what each answered, and a curl line for each. */
  example: {
    case: string;
    target: string;
    reference: string;
    curl: { target: string; reference: string };
  };
}

export interface FidelityReport {
  reference: { baseUrl: string; embedded: boolean; assetId: string };
  /** Cases both answered. */
  compared: number;
  differences: FidelityDifference[];
  counts: { fault: number; allowedDiffers: number; referenceFault: number };
  /** --fidelity: the aspects whose allowed differences fail the run. */
  failOn?: Aspect[];
  /** Whether a difference of an aspect of failOn was found (allowed or not: the team chose it). */
  fails: boolean;
  /** What became of the reference's asset (absent for the embedded reference, started for the run). */
  restore?: { status: 'restored' | 'not-possible' | 'failed'; message: string };
}

/** One difference of one pair: what each side shows of the aspect. */
interface Seen {
  aspect: Aspect;
  target: string;
  reference: string;
}

const bodyOf = (ex: Exchange): Record<string, unknown> | null =>
  ex.body?.ok && isJsonObject(ex.body.value) ? ex.body.value : null;

/** What the answers' statuses and headers show differently; where one did not answer or the statuses differ, that alone. */
function headDifferences(t: Exchange, r: Exchange): Seen[] {
  const to = t.outcome;
  const ro = r.outcome;
  if (to.kind === 'failure' || ro.kind === 'failure') {
    const text = (o: Exchange['outcome']): string =>
      o.kind === 'failure' ? `no answer (${o.failure})` : `${o.status}`;
    return text(to) === text(ro) ? [] : [{ aspect: 'answer', target: text(to), reference: text(ro) }];
  }
  if (to.status !== ro.status) return [{ aspect: 'status', target: String(to.status), reference: String(ro.status) }];
  const seen: Seen[] = [];
  const header = (name: string, aspect: Aspect, present = false): void => {
    const a = to.headers[name];
    const b = ro.headers[name];
    const differs = present ? (a === undefined) !== (b === undefined) : a !== b;
    if (differs) seen.push({ aspect, target: a ?? '(none)', reference: b ?? '(none)' });
  };
  header('content-type', 'content-type');
  header('retry-after', 'retry-after', true);
  return seen;
}

/** What the bodies of two answers of the same status show differently; the reference's ids read as the target's. */
function bodyDifferences(t: Exchange, r: Exchange, ctx: CheckContext, referenceId: string): Seen[] {
  const tb = bodyOf(t);
  const raw = bodyOf(r);
  if (!tb || !raw) return [];
  // the reference's answer as text, its ids made the target's: parsed again only where one was there
  const text = r.outcome.kind === 'response' ? r.outcome.text : '';
  const swapped = swapId(text, referenceId, ctx.targetId);
  const rb = swapped === text ? raw : (JSON.parse(swapped) as Record<string, unknown>);
  const seen: Seen[] = [];
  const status = t.outcome.kind === 'response' ? t.outcome.status : 0;
  if (status >= 400 && !jsonEqual(tb['code'], rb['code']))
    seen.push({ aspect: 'error-code', target: show(tb['code'], 60), reference: show(rb['code'], 60) });
  const tk = Object.keys(tb).sort();
  const rk = Object.keys(rb).sort();
  if (!jsonEqual(tk, rk))
    seen.push({
      aspect: 'members',
      target: tk.filter((k) => !rk.includes(k)).join(', ') || '(no other)',
      reference: rk.filter((k) => !tk.includes(k)).join(', ') || '(no other)',
    });
  if (status !== 200 || !t.case.updatesTarget || !isJsonObject(t.sent)) return seen;
  // what each echoes of the fields the request sent
  // (a field one of them does not show is a difference of members, above)
  const shown = (f: string): boolean =>
    Object.hasOwn(ctx.bodyProperties, f) && Object.hasOwn(tb, f) && Object.hasOwn(rb, f);
  for (const field of Object.keys(t.sent).filter(shown)) {
    const a = tb[field];
    const b = rb[field];
    if (jsonEqual(a, b)) continue;
    // the same set of items, in another order or without the duplicates: what "tags as a set" allows
    const reordered = Array.isArray(a) && Array.isArray(b) && sameSet(a, b);
    seen.push({
      aspect: reordered ? 'tags-order' : 'echo',
      target: `${field} ${show(a, 80)}`,
      reference: `${field} ${show(b, 80)}`,
    });
  }
  return seen;
}

/**
 * A difference's tag: whichever side's answer breaks a rule of the contract that one exchange shows
 * (the response checks and what a 200 must echo), the target first; neither: allowed, differs. A
 * SHOULD not met is a fault only in strict mode, as it fails a run only then.
 */
function tagOf(t: Exchange, r: Exchange, tctx: CheckContext, rctx: CheckContext, strict: boolean): DifferenceTag {
  const breaks = (ex: Exchange, ctx: CheckContext): boolean =>
    judge(ex, ctx, SEQUENCE_CHECKS).violations.some((v) => strict || requirement(v.requirement).level === 'MUST');
  if (breaks(t, tctx)) return 'fault';
  if (breaks(r, rctx)) return 'reference fault';
  return 'allowed, differs';
}

const classOf = (ex: Exchange): string =>
  ex.case.edge ? `edge ${ex.case.edge.row}` : (ex.case.expect[0]?.requirement ?? ex.case.property);

export interface FidelityInputs {
  contract: Contract;
  pairs: readonly MirrorPair[];
  assetId: string;
  reference: { baseUrl: string; embedded: boolean; assetId: string; apiKey: string };
  apiKey: string;
  strict: boolean;
  failOn?: readonly Aspect[];
}

/** The differences of a run's pairs, grouped by case class, aspect and tag; the first of each kept. */
export function fidelityOf(inputs: FidelityInputs): FidelityReport {
  const { contract, pairs, reference } = inputs;
  const tctx = checkContext(contract, inputs.assetId);
  const rctx = checkContext(contract, reference.assetId);
  const groups = new Map<string, FidelityDifference>();
  for (const { exchange: t, reference: r } of pairs) {
    const head = headDifferences(t, r);
    const seen = head.some((d) => d.aspect === 'answer' || d.aspect === 'status')
      ? head
      : [...head, ...bodyDifferences(t, r, tctx, reference.assetId)];
    if (seen.length === 0) continue;
    const tag = tagOf(t, r, tctx, rctx, inputs.strict);
    for (const d of seen) {
      const key = `${classOf(t)}\0${d.aspect}\0${tag}`;
      const known = groups.get(key);
      if (known) {
        known.count++;
        continue;
      }
      groups.set(key, {
        caseClass: classOf(t),
        aspect: d.aspect,
        tag,
        count: 1,
        example: {
          case: describeCase(t.case),
          target: d.target,
          reference: d.reference,
          curl: {
            target: curlLine(t.request, contract.auth, inputs.apiKey, t.case.key),
            // the reference's key is read from its own variable
            reference: curlLine(r.request, contract.auth, reference.apiKey, r.case.key).replaceAll(
              'CONFORMANCE_API_KEY',
              'CONFORMANCE_COMPARE_API_KEY',
            ),
          },
        },
      });
    }
  }
  const differences = [...groups.values()].sort(
    (a, b) => ASPECTS.indexOf(a.aspect) - ASPECTS.indexOf(b.aspect) || a.caseClass.localeCompare(b.caseClass),
  );
  const count = (tag: DifferenceTag): number => differences.filter((d) => d.tag === tag).length;
  const failOn = inputs.failOn ? [...inputs.failOn] : undefined;
  return {
    reference: { baseUrl: reference.baseUrl, embedded: reference.embedded, assetId: reference.assetId },
    compared: pairs.length,
    differences,
    counts: {
      fault: count('fault'),
      allowedDiffers: count('allowed, differs'),
      referenceFault: count('reference fault'),
    },
    ...(failOn ? { failOn } : {}),
    fails: failOn !== undefined && differences.some((d) => d.tag !== 'reference fault' && failOn.includes(d.aspect)),
  };
}
