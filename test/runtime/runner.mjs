// Small helpers shared by the Deno and browser runners (Node scripts).
// A runtime missing on a developer machine is SKIPPED, loudly; under CI=true it is a FAILURE,
// because CI installs every runtime and must really run every suite.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const isCI = process.env.CI === 'true';

/** Report a missing runtime and exit: 0 (skipped) on a developer machine, 1 under CI=true. */
export function missingRuntime(suite, reason) {
  if (isCI) {
    console.error(`\n${suite}: FAILED — ${reason} (CI=true: every runtime must be present)`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.warn(`\n${suite}: SKIPPED — ${reason}`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}

/** The built files every runtime suite tests; a clear error when they are missing. */
export function requireBuild(suite) {
  const need = ['dist/index.js', 'dist/simdnet.wasm'];
  const missing = need.filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length) {
    console.error(`${suite}: ${missing.join(', ')} missing — run \`npm run build\` first`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

/** The closing line CI counts: `N passed, M failed`, alone on a line. */
export function summary(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
}
