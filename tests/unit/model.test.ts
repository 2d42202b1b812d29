/**
 * The stateful model names the requirement an observation breaks from the field's history: an
 * ignorable field misstated by the very 200 that sent it is that answer's fault (A200-IGNORABLE),
 * a value lost after an earlier 200 is STATE-PERSISTS, one only a rejected request sent is
 * STATE-REJECTED-NO-CHANGE, a field no request named is STATE-UNSENT-PRESERVED.
 */
import { describe, expect, test } from 'vitest';
import { type AssetModel, newModel, observe, type Recorder } from '../../src/properties/stateful/model.ts';
import type { RequirementId } from '../../src/requirements.ts';
import { context } from '../helpers/helpers.ts';

function setUp(): { model: AssetModel; rec: Recorder; violated: RequirementId[]; judged: Set<RequirementId> } {
  const ctx = context();
  const violated: RequirementId[] = [];
  const judged = new Set<RequirementId>();
  const rec: Recorder = { ctx, judged: (id) => judged.add(id), violate: (id) => violated.push(id) };
  const model = newModel(ctx);
  observe(model, rec, 'mime_type', 'image/png', 1);
  return { model, rec, violated, judged };
}

/** A 200 at `step` that sent the ignorable mime_type (as the real side records it: the value may be kept or ignored). */
function sent200(model: AssetModel, value: string, step: number): void {
  const fm = model.fields['mime_type'];
  if (!fm) throw new Error('no mime_type in the model');
  fm.log.push({ origin: 'sent200', value, step, repeat: false });
  fm.values = [...(fm.values ?? []), value];
  model.updates.push(step);
}

describe('whose fault an observation is', () => {
  test('mime_type is an ignorable field of the contract (the premise of the cases below)', () => {
    expect(context().updatable).not.toContain('mime_type');
  });

  test('the 200 that sent an ignorable field answers neither the value sent nor the previous one: A200-IGNORABLE', () => {
    const { model, rec, violated, judged } = setUp();
    sent200(model, 'text/plain', 2);
    observe(model, rec, 'mime_type', 'application/x-guessed', 2, 2);
    expect(violated).toEqual(['A200-IGNORABLE']);
    expect(judged.has('A200-IGNORABLE')).toBe(true);
  });

  test('the same answer after an earlier 200 that nothing showed: the earlier update may be lost (STATE-PERSISTS)', () => {
    const { model, rec, violated } = setUp();
    sent200(model, 'text/csv', 2);
    sent200(model, 'text/plain', 3);
    observe(model, rec, 'mime_type', 'application/x-guessed', 3, 3);
    expect(violated).toEqual(['STATE-PERSISTS']);
  });

  test('an earlier 200 whose own answer was seen does not count: the answer is still at fault', () => {
    const { model, rec, violated } = setUp();
    sent200(model, 'image/png', 2);
    observe(model, rec, 'mime_type', 'image/png', 2, 2);
    // the real side keeps the step's event after its answer was observed
    model.fields['mime_type']?.log.push({ origin: 'sent200', value: 'image/png', step: 2, repeat: true });
    sent200(model, 'text/plain', 3);
    observe(model, rec, 'mime_type', 'application/x-guessed', 3, 3);
    expect(violated).toEqual(['A200-IGNORABLE']);
  });

  test('in a read: a value only a rejected request sent, a lost update, a change of a field no request named', () => {
    const rejected = setUp();
    rejected.model.fields['mime_type']?.log.push({ origin: 'rejected', value: 'text/html', step: 2, repeat: false });
    observe(rejected.model, rejected.rec, 'mime_type', 'text/html', 3);
    expect(rejected.violated).toEqual(['STATE-REJECTED-NO-CHANGE']);

    const lost = setUp();
    sent200(lost.model, 'text/plain', 2);
    observe(lost.model, lost.rec, 'mime_type', 'application/x-guessed', 3);
    expect(lost.violated).toEqual(['STATE-PERSISTS']);

    const unsent = setUp();
    observe(unsent.model, unsent.rec, 'mime_type', 'text/plain', 2);
    expect(unsent.violated).toEqual(['STATE-UNSENT-PRESERVED']);
  });

  test('a value the field may have is no violation, whoever observes it', () => {
    const { model, rec, violated } = setUp();
    sent200(model, 'text/plain', 2);
    observe(model, rec, 'mime_type', 'image/png', 2, 2);
    observe(model, rec, 'mime_type', 'image/png', 3);
    expect(violated).toEqual([]);
  });
});
