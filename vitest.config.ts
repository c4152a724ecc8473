import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  // Examples import 'simdnet' as users do; in tests that is the source, not a stale build.
  resolve: { alias: { simdnet: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    // test/deno/ runs under `deno test` (npm run test:deno), not under vitest.
    exclude: ['**/node_modules/**', 'test/deno/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
