/** Element-wise comparison of two tensors: max absolute / relative / float32-ULP error and mismatch count. */
import { DataType, dataTypeName } from '../data-type.ts';
import type { Tensor } from '../tensor.ts';
import { readNumbers } from './tensor-util.ts';

export interface Diff {
  n: number;
  /** elements not bit-identical (NaN matches NaN) */
  mismatches: number;
  maxAbs: number;
  /** max |a-b| / max(|b|, tiny) over elements */
  maxRel: number;
  /** max |a-b| / max|b| over the whole tensor (error relative to the tensor's scale) */
  maxAbsOverScale: number;
  /** max distance in float32 units in the last place (0 for non-float dtypes when equal) */
  maxUlp: number;
  /** flat index of the worst ULP element (-1 when identical) */
  worst: number;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** Maps a float32 to an integer line where adjacent floats differ by 1 (so |a-b| counts ULPs). */
function ordered(x: number): number {
  f32[0] = x;
  const i = i32[0];
  return i < 0 ? -2147483648 - i : i;
}

export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordered(a) - ordered(b));
}

/** Compares `actual` against `expected`; dims and dtypes must match (throws otherwise). */
export function diffTensors(actual: Tensor, expected: Tensor): Diff {
  if (actual.dtype !== expected.dtype) throw new Error(`dtype ${dataTypeName(actual.dtype)} vs ${dataTypeName(expected.dtype)}`);
  if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
    throw new Error(`dims [${actual.dims.join(',')}] vs [${expected.dims.join(',')}]`);
  }
  const a = readNumbers(actual);
  const b = readNumbers(expected);
  const isF32 = actual.dtype === DataType.FLOAT;
  let mismatches = 0, maxAbs = 0, maxRel = 0, maxUlp = 0, worst = -1, scale = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === y || (x !== x && y !== y)) {
      if (x === 0 && y === 0 && Object.is(x, -0) !== Object.is(y, -0) && isF32) { /* +0 vs -0: equal */ }
      continue;
    }
    mismatches++;
    const d = Math.abs(x - y);
    const ulp = isF32 ? ulpDistance(x, y) : d;
    if (ulp > maxUlp || worst < 0) { maxUlp = Math.max(maxUlp, ulp); worst = i; }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
    const rel = d / Math.max(Math.abs(y), 1e-30);
    if (rel > maxRel) maxRel = rel;
  }
  return { n: a.length, mismatches, maxAbs, maxRel, maxAbsOverScale: scale > 0 ? maxAbs / scale : maxAbs, maxUlp, worst };
}
