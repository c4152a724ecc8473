// The workerd side of test/edge/workerd.mjs: an ES-module worker that gets simdnet's bundle as
// an ES module, its binary as a `wasm` module (compiled by workerd, which forbids compiling from
// bytes) and the golden trajectory as a `json` module (test/edge/workerd.capnp). POST / with
// { base, cases } runs test/edge/edge-checks.mjs; the model files come through the MODELS
// service binding, an external service pointing at the runner's server.
import * as lib from 'simdnet';
import wasm from 'simdnet/simdnet.wasm';
import golden from 'golden.json';
import { runEdgeChecks } from './edge-checks.mjs';

export default {
  async fetch(request, env) {
    const { base, cases } = await request.json();
    const fetchFunc = (url, init) => env.MODELS.fetch(url, init);
    return Response.json(await runEdgeChecks(lib, { module: wasm, golden, base, fetchFunc, cases }));
  },
};
