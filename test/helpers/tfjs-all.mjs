// TensorFlow.js as `import * as tf from '@tensorflow/tfjs'` gives it (core and layers, the cpu
// backend), for running the example tutorials on TF.js with only their import line changed.
import '@tensorflow/tfjs-backend-cpu';
// The chained methods (x.add(y)): '@tensorflow/tfjs' registers them; tfjs-core alone does not.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
