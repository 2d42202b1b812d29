/** Helpers for the project's own tests: hand-built exchanges and a contract loaded once. */
import { fileURLToPath } from 'node:url';
import { checkContext } from '../../src/checks/context.ts';
import { loadContract } from '../../src/contract/load.ts';
import { type Exchange, parseBody } from '../../src/exchange/perform.ts';
import type { Case } from '../../src/generators/case.ts';
import type { SuiteContext } from '../../src/properties/property.ts';
import type { ReferenceServer } from '../../src/server/index.ts';

export const SPEC = fileURLToPath(new URL('../../spec/openapi-cloud.yaml', import.meta.url));
export const SPEC_2026_08 = fileURLToPath(new URL('../../fixtures/specs/openapi-cloud-2026-08.yaml', import.meta.url));
export const TARGET = '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f';
export const KEY = 'test-key-0123456789';

export function context(spec = SPEC): SuiteContext {
  return { ...checkContext(loadContract(spec), TARGET), apiKey: KEY };
}

export function makeCase(partial: Partial<Case> = {}): Case {
  return {
    property: 'valid-update',
    id: { kind: 'target', value: TARGET },
    key: { kind: 'valid' },
    body: { kind: 'json', value: { name: 'x' } },
    expect: [{ requirement: 'UPD-VALID-200', allowed: [200] }],
    updatesTarget: true,
    ...partial,
  };
}

export interface ResponseShape {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** An exchange as the client would have produced it. */
export function exchange(
  c: Case,
  response:
    | ResponseShape
    | { failure: 'timeout' | 'reset' | 'too-large' | 'protocol' | 'error' | 'unsent'; status?: number },
): Exchange {
  const bodyText = c.body.kind === 'json' ? JSON.stringify(c.body.value) : c.body.text;
  let sent: unknown;
  try {
    sent = JSON.parse(bodyText);
  } catch {
    sent = undefined;
  }
  const request = {
    method: 'PUT',
    url: `http://127.0.0.1:1/api/assets/${encodeURIComponent(c.id.value)}`,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: bodyText,
  };
  if ('failure' in response) {
    return {
      case: c,
      request,
      sent,
      outcome: {
        kind: 'failure',
        failure: response.failure,
        message: response.failure,
        ms: 1,
        ...(response.status ? { status: response.status, headers: {} } : {}),
      },
    };
  }
  const text = response.text ?? (response.json === undefined ? '' : JSON.stringify(response.json));
  return {
    case: c,
    request,
    sent,
    outcome: {
      kind: 'response',
      status: response.status ?? 200,
      headers: { 'content-type': 'application/json', ...response.headers },
      text,
      bytes: text.length,
      ms: 1,
    },
    body: parseBody(text),
  };
}

export const ok200 = (extra: Record<string, unknown> = {}): ResponseShape => ({
  status: 200,
  json: { id: TARGET, updated_at: '2026-11-26T22:23:22.293Z', ...extra },
});
export const err = (status: number, extra: Record<string, unknown> = {}): ResponseShape => ({
  status,
  json: { code: 'E', message: 'm', ...extra },
});

/** The asset's fields a run may touch (and must put back), as the reference server stores them. */
export function assetMetadata(s: ReferenceServer, id = s.assetId): unknown {
  const a = s.store.assets.get(id);
  return (
    a && {
      name: a.name,
      tags: a.tags,
      mime_type: a.mime_type,
      preview_id: a.preview_id,
      user_metadata: a.user_metadata,
      asset_hash: a.asset_hash,
    }
  );
}

/** The exchange with a control: the same body sent to the asset with the valid key, answered `status`. */
export function controlled(ex: Exchange, status = 200): Exchange {
  const control = exchange(
    { ...ex.case, id: { kind: 'target', value: TARGET }, key: { kind: 'valid' }, expect: [] },
    status === 200 ? ok200() : err(status),
  );
  return { ...ex, control };
}
