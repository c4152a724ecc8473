/** What the train commands print: the backend in use, the last epoch's figures, the curves. */
import fs from 'node:fs';
import { backendInfo, utils, type History } from '../index.ts';

/** "simdnet: relaxed binary (SIMD + relaxed FMA), 2 threads" for the backend init() chose. */
export function backendLine(): string {
  const info = backendInfo();
  const fma = info.features.relaxedSimd && info.binary === 'relaxed' ? ' + relaxed FMA' : '';
  return `simdnet: ${info.binary} binary (SIMD${fma}), ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

/** "loss 0.1234 · accuracy 97.50% · validation loss …" for the last epoch of `history`. */
export function lastEpochSummary(history: History): string {
  const last = (k: string) => history.history[k]?.[history.history[k].length - 1] as number | undefined;
  return [['loss', 'loss'], ['acc', 'accuracy'], ['val_loss', 'validation loss'], ['val_acc', 'validation accuracy']]
    .filter(([k]) => last(k) !== undefined)
    .map(([k, label]) => `${label} ${k.endsWith('acc') ? `${(last(k)! * 100).toFixed(2)}%` : last(k)!.toFixed(4)}`)
    .join(' · ');
}

/** `--plot FILE.svg`: the loss/accuracy curves, when the option was given. */
export function writePlot(plot: string | undefined, history: History): void {
  if (plot === undefined) return;
  fs.writeFileSync(plot, utils.plotHistory(history));
  console.log(`Wrote the training curves to ${plot}`);
}
