/**
 * numpy's float64 `np.sum` of a contiguous 1-D array: the first element, plus the pairwise sum of the rest
 * (8-way unrolled blocks of up to 128, halves split on multiples of 8) — so KL values and their ties match
 * numpy bit for bit.
 */
function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

export function npSum(a: ArrayLike<number>): number {
  if (a.length === 0) return 0;
  return a[0] + pairwise(a, 1, a.length - 1);
}
