import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/deno/ runs under `deno test` (npm run test:deno), not under vitest.
    exclude: ['**/node_modules/**', 'test/deno/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
