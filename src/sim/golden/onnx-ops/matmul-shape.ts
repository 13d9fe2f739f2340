/** numpy matmul shape rules (batch broadcasting, 1-D promotion) shared by MatMulInteger and QLinearMatMul. */

export interface MatmulPlan {
  M: number; K: number; N: number;
  outDims: number[];
  /** one entry per output batch: element offsets of A, B and C */
  batches: { a: number; b: number; c: number }[];
}

export function planMatmul(aDims: readonly number[], bDims: readonly number[], what: string): MatmulPlan {
  if (aDims.length === 0 || bDims.length === 0) throw new Error(`${what}: matmul inputs must have rank >= 1`);
  const a = aDims.length === 1 ? [1, aDims[0]] : [...aDims];
  const b = bDims.length === 1 ? [bDims[0], 1] : [...bDims];
  const M = a[a.length - 2], K = a[a.length - 1], K2 = b[b.length - 2], N = b[b.length - 1];
  if (K !== K2) throw new Error(`${what}: inner dimensions differ: A [${aDims.join(',')}] · B [${bDims.join(',')}]`);
  const ab = a.slice(0, -2), bb = b.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const batch: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = ab[ab.length - r + i] ?? 1, db = bb[bb.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`${what}: batch dimensions do not broadcast: A [${aDims.join(',')}] · B [${bDims.join(',')}]`);
    batch.push(Math.max(da, db));
  }
  const total = batch.reduce((x, y) => x * y, 1);
  const batches: MatmulPlan['batches'] = [];
  const idx = new Array(r).fill(0);
  for (let t = 0; t < total; t++) {
    let ao = 0, bo = 0, as = 1, bs = 1;
    for (let i = r - 1; i >= 0; i--) {
      const ia = ab.length - r + i, ib = bb.length - r + i;
      if (ia >= 0) { ao += (ab[ia] === 1 ? 0 : idx[i]) * as; as *= ab[ia]; }
      if (ib >= 0) { bo += (bb[ib] === 1 ? 0 : idx[i]) * bs; bs *= bb[ib]; }
    }
    batches.push({ a: ao * M * K, b: bo * K * N, c: t * M * N });
    for (let i = r - 1; i >= 0; i--) { if (++idx[i] < batch[i]) break; idx[i] = 0; }
  }
  const outDims = [...batch];
  if (aDims.length > 1) outDims.push(M);
  if (bDims.length > 1) outDims.push(N);
  return { M, K, N, outDims, batches };
}
