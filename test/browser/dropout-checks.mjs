// The same-mask checks of the noise layers, for the Deno suite (test/deno/runtime.test.ts) and
// the Chromium suite (test/browser/runtime.html): the counter-based generator of
// assembly/dropout.ts must give, in every runtime, the masks and noise Node gives
// (test/model/dropout.test.ts and test/kernels/dropout.test.ts pin the same fingerprints).

/** FNV-1a over the bytes of float32 values. */
function fnv1a(values) {
  const b = new Uint8Array(Float32Array.from(values).buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

function expectEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

/** dropout(rate 0.5, seed 1234) at step 0 over 4000 ones. */
export const MASK_FINGERPRINT = 600910405;
/** gaussianNoise(stddev 1) over 999 zeros after setSeed(77), first training call. */
export const NOISE_FINGERPRINT = 2755115346;

export function dropoutChecks(lib) {
  return [
    {
      name: 'dropout: the same seed gives the same mask as in Node; the step advances it; inference is the identity',
      run: async () => {
        await lib.init();
        const layer = lib.layers.dropout({ rate: 0.5, seed: 1234 });
        const y = layer.apply(lib.ones([4, 1000]), { training: true }).dataSync();
        expectEq(fnv1a(y), MASK_FINGERPRINT, 'mask fingerprint');
        let dropped = 0;
        for (const v of y) {
          if (v === 0) dropped++;
          else expectEq(v, 2, 'kept value');
        }
        if (Math.abs(dropped - 2000) > 5 * Math.sqrt(1000)) throw new Error(`dropped ${dropped} of 4000 at rate 0.5`);
        const next = layer.apply(lib.ones([4, 1000]), { training: true }).dataSync();
        if (fnv1a(next) === MASK_FINGERPRINT) throw new Error('the second training call reused the first mask');
        const x = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 3);
        const z = layer.apply(lib.tensor(x, [3, 1000])).dataSync();
        for (let i = 0; i < x.length; i++) if (!Object.is(z[i], x[i])) throw new Error(`inference changed value ${i}: ${z[i]} vs ${x[i]}`);
      },
    },
    {
      name: 'gaussianNoise: setSeed gives the same noise as in Node, bit for bit',
      run: async () => {
        await lib.init();
        lib.setSeed(77);
        const y = lib.layers.gaussianNoise({ stddev: 1 }).apply(lib.zeros([3, 333]), { training: true }).dataSync();
        expectEq(fnv1a(y), NOISE_FINGERPRINT, 'noise fingerprint');
      },
    },
  ];
}
