// This project's own vitest settings: without them, vitest run inside the clone of
// comfy-assets-conformance would take the repository's root config and find no test here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['*.test.js'], testTimeout: 120_000, hookTimeout: 120_000 },
});
