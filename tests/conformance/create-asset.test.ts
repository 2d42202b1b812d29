/**
 * The upload's hash (CREATE-HASH-BLAKE3) is judged only on an asset the run uploads itself: against
 * the embedded server this file always does (valid updates on an asset it creates, then deletes);
 * against a target, when CONFORMANCE_CREATE_ASSET says so (else the test is skipped with the reason).
 */
import { conformanceProperty } from './define.ts';

const embedded = !process.env['CONFORMANCE_BASE_URL'];
conformanceProperty('valid-update', {
  options: embedded ? { createAsset: true } : {},
  requirements: ['CREATE-HASH-BLAKE3'],
  title: 'valid updates of an asset the run uploads, then deletes',
});
