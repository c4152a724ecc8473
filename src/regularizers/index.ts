/** Weight penalties added to the loss and, through `l1l2_penalty_f32`, to the gradient. */
export interface Regularizer {
  readonly className: 'L1L2';
  readonly l1: number;
  readonly l2: number;
}

function make(l1: number, l2: number, who: string): Regularizer {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${who}: ${k} must be a non-negative number, got ${v}`);
  }
  return { className: 'L1L2', l1, l2 };
}

export const regularizers = {
  l1: ({ l1 = 0.01 }: { l1?: number } = {}) => make(l1, 0, 'regularizers.l1'),
  l2: ({ l2 = 0.01 }: { l2?: number } = {}) => make(0, l2, 'regularizers.l2'),
  l1l2: ({ l1 = 0.01, l2 = 0.01 }: { l1?: number; l2?: number } = {}) => make(l1, l2, 'regularizers.l1l2'),
};

export function getRegularizer(r: string | Regularizer | null | undefined, who: string): Regularizer | null {
  if (r === undefined || r === null) return null;
  if (typeof r === 'string') {
    if (r === 'l1' || r === 'l2' || r === 'l1l2') return regularizers[r]();
    throw new Error(`${who}: unknown regularizer '${r}'; expected l1, l2, l1l2 or regularizers.l1({ l1 })`);
  }
  if (r.className !== 'L1L2') throw new Error(`${who}: expected a regularizer from regularizers.l1/l2/l1l2`);
  return r;
}
