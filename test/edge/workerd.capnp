# The workerd suite's checks worker (test/edge/workerd.mjs starts it with the socket on port 0
# and the MODELS address overridden). The example is started from its own config instead.
# Module names are paths, mirroring test/: workerd resolves an import, bare ones too, against the
# importer's folder, so the worker's `simdnet` is edge/simdnet and edge-checks.mjs's
# "../runtime/checks.mjs" is runtime/checks.mjs.
# No compatibility flags: no nodejs_compat, so no `node:` module exists in this worker.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "checks", worker = .checks),
    (name = "models", external = (address = "127.0.0.1:9", http = ())),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "checks") ],
);

const checks :Workerd.Worker = (
  modules = [
    (name = "edge/workerd-worker.mjs", esModule = embed "workerd-worker.mjs"),
    (name = "edge/edge-checks.mjs", esModule = embed "edge-checks.mjs"),
    (name = "runtime/checks.mjs", esModule = embed "../runtime/checks.mjs"),
    (name = "edge/simdnet", esModule = embed "../../dist/index.js"),
    (name = "edge/simdnet/simdnet.wasm", wasm = embed "../../dist/simdnet.wasm"),
    (name = "edge/golden.json", json = embed "../model/golden-trajectory.json"),
  ],
  bindings = [ (name = "MODELS", service = "models") ],
  compatibilityDate = "2025-09-01",
);
