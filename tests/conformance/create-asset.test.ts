/**
 * The upload's hash (CREATE-HASH-BLAKE3) is judged only on an asset the run uploads itself: against
 * the embedded server this file always does (valid updates on an asset it creates, then deletes);
 * against a target, when CONFORMANCE_CREATE_ASSET says so. Otherwise the test is skipped with the
 * reason, and the target gets no second run of valid updates.
 */
import { test } from 'vitest';
import { conformanceProperty, tierOptions } from './define.ts';

const { baseUrl, createAsset } = tierOptions();
if (baseUrl === undefined || createAsset)
  conformanceProperty('valid-update', {
    options: { createAsset: 1 },
    requirements: ['CREATE-HASH-BLAKE3'],
    title: 'valid updates of an asset the run uploads, then deletes',
  });
else test.skip('CREATE-HASH-BLAKE3: judged only on an asset the run uploads (CONFORMANCE_CREATE_ASSET=1)', () => {});
