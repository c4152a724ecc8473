/** Weight penalties added to the loss and, through `l1l2_penalty_f32`, to the gradient. */
import { checkNumber, checkOptions, describe } from '../tensor.ts';

export interface Regularizer {
  readonly className: 'L1L2';
  readonly l1: number;
  readonly l2: number;
}

function make(l1: unknown, l2: unknown, who: string): Regularizer {
  return Object.freeze({
    className: 'L1L2' as const,
    l1: checkNumber(l1, `${who}: l1`, { min: 0 }),
    l2: checkNumber(l2, `${who}: l2`, { min: 0 }),
  });
}

export const regularizers = {
  l1: (args?: { l1?: number }) => make(checkOptions(args, 'regularizers.l1', ['l1']).l1 ?? 0.01, 0, 'regularizers.l1'),
  l2: (args?: { l2?: number }) => make(0, checkOptions(args, 'regularizers.l2', ['l2']).l2 ?? 0.01, 'regularizers.l2'),
  l1l2: (args?: { l1?: number; l2?: number }) => {
    const a = checkOptions(args, 'regularizers.l1l2', ['l1', 'l2']);
    return make(a.l1 ?? 0.01, a.l2 ?? 0.01, 'regularizers.l1l2');
  },
};

export function getRegularizer(r: string | Regularizer | null | undefined, who: string): Regularizer | null {
  if (r === undefined || r === null) return null;
  if (typeof r === 'string') {
    if (r === 'l1' || r === 'l2' || r === 'l1l2') return regularizers[r]();
    throw new Error(`${who}: unknown regularizer '${r}'; expected l1, l2, l1l2 or regularizers.l1({ l1 })`);
  }
  if (typeof r !== 'object' || r.className !== 'L1L2') throw new TypeError(`${who}: expected a regularizer from regularizers.l1/l2/l1l2, got ${describe(r)}`);
  // A hand-made { className: 'L1L2', l1, l2 } gets the same checks as the factories'.
  return make(r.l1, r.l2, who);
}
