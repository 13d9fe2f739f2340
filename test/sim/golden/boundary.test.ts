/**
 * Boundary tester over all int8 (and uint8) codes: for every code k and every zero point, the exact
 * tie x = (k - zp + 0.5)·s, one float32 ulp either side of it, and the saturation edges. The oracle
 * here is independent of the implementation: exact rational arithmetic on the float32 bit patterns
 * (BigInt), a correctly rounded float32 quotient, then round-half-even, add, clamp.
 */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';
import { bitsToF32, f32ToBits, intRange } from '../../../src/sim/golden/dtype.ts';
import { quantizeScalar, quantizeTensor } from '../../../src/sim/golden/quantize.ts';

/** Exact value of a finite float32 as a BigInt numerator over 2^149. */
function exact(x: number): bigint {
  const b = f32ToBits(x);
  const e = (b >>> 23) & 0xff;
  const m = BigInt(e ? (b & 0x7fffff) | 0x800000 : b & 0x7fffff);
  const v = m << BigInt(Math.max(e, 1) - 1);
  return b >>> 31 ? -v : v;
}

/** Correctly rounded float32 quotient x/s (normal range only), then RNE to an integer: as a BigInt-free number. */
function oracle(x: number, s: number, zp: number, qmin: number, qmax: number): number {
  const nx = exact(x), ns = exact(s);
  const neg = (nx < 0n) !== (ns < 0n);
  const a = nx < 0n ? -nx : nx, b = ns < 0n ? -ns : ns;
  if (a === 0n) return Math.min(qmax, Math.max(qmin, zp));
  // find e with 2^23 <= a/b * 2^e < 2^24, take 24 significant bits, round half to even
  let e = 0;
  const hi = (k: number) => (k >= 0 ? a << BigInt(k) : a) >= (k >= 0 ? b << 24n : (b << 24n) << BigInt(-k));
  const lo = (k: number) => (k >= 0 ? a << BigInt(k) : a) < (k >= 0 ? b << 23n : (b << 23n) << BigInt(-k));
  while (hi(e)) e--;
  while (lo(e)) e++;
  const num = e >= 0 ? a << BigInt(e) : a, den = e >= 0 ? b : b << BigInt(-e);
  let m = num / den;
  const r = num - m * den;
  if (2n * r > den || (2n * r === den && (m & 1n) === 1n)) m += 1n;
  // value = m * 2^-e; now round to an integer, half to even
  let q: bigint;
  if (e <= 0) q = m << BigInt(-e);
  else {
    const unit = 1n << BigInt(e);
    q = m / unit;
    const rem = m - q * unit;
    if (2n * rem > unit || (2n * rem === unit && (q & 1n) === 1n)) q += 1n;
  }
  const v = Number(neg ? -q : q) + zp;
  return Math.min(qmax, Math.max(qmin, v));
}

const up = (x: number) => bitsToF32(f32ToBits(x) + (x > 0 ? 1 : -1));
const down = (x: number) => bitsToF32(f32ToBits(x) - (x > 0 ? 1 : -1));

describe('boundary tester: all int8/uint8 codes, ties, ±1 ulp, saturation edges, every zero point', () => {
  it('the BigInt oracle reproduces the documented cases', () => {
    expect(oracle(Math.fround(0.35), Math.fround(0.1), 0, -128, 127)).toBe(4);
    expect(oracle(bitsToF32(0x419c6666), Math.fround(0.1), 0, 0, 255)).toBe(195);
    expect(oracle(bitsToF32(0xc1740001), Math.fround(0.1), 0, -1000, 1000)).toBe(-152);
    expect(oracle(2.5, 1, 0, -128, 127)).toBe(2);
    expect(oracle(-3.5, 1, 1, -128, 127)).toBe(-3);
  });

  for (const dt of [DataType.INT8, DataType.UINT8]) {
    const { min, max } = intRange(dt);
    it(`${dt === DataType.INT8 ? 'INT8' : 'UINT8'}: power-of-two scale, every code x every zero point (the tensor fast path)`, () => {
      const s = 0.125;
      let checked = 0;
      const xs: number[] = [];
      for (let k = min - 1; k <= max + 1; k++) xs.push(k * s, (k + 0.5) * s, up((k + 0.5) * s), down((k + 0.5) * s));
      const x: Tensor = { dtype: DataType.FLOAT, dims: [xs.length], data: Float32Array.from(xs) };
      for (let zp = min; zp <= max; zp++) {
        const z: Tensor = { dtype: dt, dims: [], data: dt === DataType.INT8 ? Int8Array.of(zp) : Uint8Array.of(zp) };
        // x here is relative to the zero point: shift the codes so that k is the target code
        const shifted: Tensor = { ...x, data: Float32Array.from(xs, (v) => v - zp * s) };
        const y = quantizeTensor(shifted, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(s) }, z, { outputDtype: dt });
        const sd = shifted.data as Float32Array;
        for (let i = 0; i < sd.length; i++) {
          const want = oracle(sd[i], s, zp, min, max);
          if ((y.data as Int8Array)[i] !== want) throw new Error(`zp=${zp} x=${sd[i]}: got ${(y.data as Int8Array)[i]}, want ${want}`);
          checked++;
        }
      }
      expect(checked).toBe((max - min + 3) * 4 * (max - min + 1));
    });

    it(`${dt === DataType.INT8 ? 'INT8' : 'UINT8'}: non-power-of-two scales, every code, ties ±1 ulp, edge zero points`, () => {
      let checked = 0;
      for (const s of [0.1, 1 / 3, 0.0066, 0.02, 1 / 127].map(Math.fround)) {
        for (const zp of [min, min + 1, Math.trunc((min + max) / 2), max - 1, max]) {
          for (let k = min - 1; k <= max + 1; k++) {
            const t = Math.fround((k - zp + 0.5) * s);
            for (const x of [t, up(t), down(t), Math.fround((k - zp) * s)]) {
              if (x === 0) continue;
              const got = quantizeScalar(x, s, zp, dt);
              const want = oracle(x, s, zp, min, max);
              if (got !== want) throw new Error(`s=${s} zp=${zp} x=${x}: got ${got}, want ${want}`);
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(20000);
    });
  }

  it('saturation edges: the last in-range tie and the first value beyond it', () => {
    const s = 0.25;
    for (let zp = -128; zp <= 127; zp++) {
      const edgeHi = (127 - zp + 0.5) * s; // tie between qmax and qmax+1
      expect(quantizeScalar(edgeHi, s, zp, DataType.INT8)).toBe(127);
      expect(quantizeScalar(down(edgeHi) || edgeHi, s, zp, DataType.INT8)).toBe(127);
      const edgeLo = (-128 - zp - 0.5) * s;
      expect(quantizeScalar(edgeLo, s, zp, DataType.INT8)).toBe(-128);
      expect(quantizeScalar(up(edgeLo) || edgeLo, s, zp, DataType.INT8)).toBe(-128);
    }
  });
});
