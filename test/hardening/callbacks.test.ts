// Callbacks: earlyStopping's monitor is checked before any epoch trains (an error, not Keras's
// warning: a monitor the logs never hold would make early stopping a silent no-op), and a
// callback that throws ends fit without leaving the model stuck "training".
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks, referenceModel, rejectedAndUnharmed, sn, stillTrains, x4, y3 } from './helpers.ts';

let ref: sn.Sequential;
beforeAll(async () => {
  await sn.init();
  ref = referenceModel();
});

/** A callback that records whether any epoch began. */
const watch = () => {
  const seen = { epochs: 0, batches: 0 };
  return { seen, cb: { onEpochBegin: () => void seen.epochs++, onBatchEnd: () => void seen.batches++ } };
};

describe('earlyStopping checks its monitor before training', () => {
  it('a monitor no metric has (a typo) fails before the first epoch', async () => {
    const w = watch();
    await rejectedAndUnharmed(
      ref,
      () => ref.fit(x4, y3, { epochs: 3, verbose: 0, validationSplit: 0.25, callbacks: [w.cb, callbacks.earlyStopping({ monitor: 'val_accuracy' })] }),
      /^callbacks\.earlyStopping: monitor 'val_accuracy' is not in the logs \(loss, acc(, val_loss, val_acc)?\)$/,
    );
    expect(w.seen).toEqual({ epochs: 0, batches: 0 });
  });

  it("'val_loss' without validation data fails before the first epoch, and says why", async () => {
    const w = watch();
    await rejectedAndUnharmed(
      ref,
      () => ref.fit(x4, y3, { epochs: 3, verbose: 0, callbacks: [w.cb, callbacks.earlyStopping()] }),
      /^callbacks\.earlyStopping: monitor 'val_loss' is not in the logs \(loss, acc\); did you forget validationSplit or validationData\?$/,
    );
    expect(w.seen).toEqual({ epochs: 0, batches: 0 });
  });

  it('a valid monitor trains as before', async () => {
    const es = callbacks.earlyStopping({ monitor: 'val_acc', patience: 5 });
    const h = await ref.fit(x4, y3, { epochs: 2, verbose: 0, validationSplit: 0.25, callbacks: [es] });
    expect(h.epoch).toEqual([0, 1]);
    expect(es.mode).toBe('max');
  });
});

describe('a callback that fails', () => {
  it('ends fit with its error; the model is not left training and still trains', async () => {
    await rejectedAndUnharmed(
      ref,
      () =>
        ref.fit(x4, y3, {
          epochs: 1,
          verbose: 0,
          callbacks: {
            onTrainBegin() {
              throw new Error('mine: refused');
            },
          },
        }),
      /^mine: refused$/,
    );
    expect(ref.isTraining).toBe(false);
    const m = referenceModel();
    let n = 0;
    await expect(
      m.fit(x4, y3, {
        epochs: 2,
        batchSize: 4,
        verbose: 0,
        callbacks: {
          async onBatchEnd() {
            if (++n === 3) throw new Error('mine: stop here');
          },
        },
      }),
    ).rejects.toThrow('mine: stop here');
    expect(m.isTraining).toBe(false);
    await stillTrains(m);
    m.dispose();
  });
});
