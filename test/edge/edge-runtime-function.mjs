// The edge-runtime side of test/edge/edge-runtime.mjs: an Edge Function (default export, as
// Vercel's) bundled and run by examples/vercel-edge/dev.mjs: the binary arrives through a
// `?module` import as a WebAssembly binding compiled outside the VM, which has code generation
// off. POST { base, cases } runs test/edge/edge-checks.mjs; the model files are fetched from
// the runner's server with the runtime's own fetch.
import * as lib from 'simdnet';
import wasm from 'simdnet/simdnet.wasm?module';
import golden from '../model/golden-trajectory.json';
import { runEdgeChecks } from './edge-checks.mjs';

export default async function handler(request) {
  const { base, cases } = await request.json();
  return Response.json(await runEdgeChecks(lib, { module: wasm, golden, base, cases }));
}
