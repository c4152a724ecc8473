# workerd's own config for this example: `npx workerd serve examples/cloudflare-worker/config.capnp`
# (from the repository root, after `npm run build`), then POST to http://127.0.0.1:8787.
# It declares the same modules `wrangler` makes from wrangler.toml: the worker, simdnet's bundle,
# its binary as a `wasm` module (compiled at load time; the worker cannot compile bytes), and the
# model's files as a JSON and a Data module. Paths are relative to this file; outside this
# repository, point the two simdnet modules at node_modules/simdnet/dist/ (or use wrangler).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "predictor", worker = .predictor) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "predictor") ],
);

const predictor :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "simdnet", esModule = embed "../../dist/index.js"),
    (name = "simdnet/simdnet.wasm", wasm = embed "../../dist/simdnet.wasm"),
    (name = "model/model.json", json = embed "model/model.json"),
    (name = "model/model.weights.bin", data = embed "model/model.weights.bin"),
  ],
  compatibilityDate = "2025-09-01",
);
