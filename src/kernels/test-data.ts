// SPDX-License-Identifier: Apache-2.0
/**
 * Seeded input generators for the kernel differential suites and `qdqsim kernels check`: values
 * concentrated where bit-exactness breaks (rounding ties, one and two ULPs around them, subnormals,
 * signed zeros, NaN payloads, infinities, saturation edges, every 8-bit code), mixed with random bits.
 */

/** The project's seeded PRNG (mulberry32), under the name the kernel suites use. */
export { mulberry32 as rng } from '../sim/random.ts';

export function randInt(r: () => number, lo: number, hi: number): number { return lo + Math.floor(r() * (hi - lo + 1)); }

const f1 = new Float32Array(1);
const u1 = new Uint32Array(f1.buffer);

/** x's f32 neighbour `ulps` steps away (in the order of the reals). */
export function ulpStep(x: number, ulps: number): number {
  f1[0] = x;
  let k = u1[0]! & 0x7fffffff ? (u1[0]! >>> 31 ? -(u1[0]! & 0x7fffffff) : u1[0]!) : 0;
  k += ulps;
  u1[0] = k >= 0 ? k : (0x80000000 | -k) >>> 0;
  return f1[0]!;
}

/**
 * Fill `bits` (f32 bit patterns) for a quantizer with scale s, zero point zp, range [qmin, qmax]:
 * ties (k + 0.5) * s and k * s with +-0..2 ULP, saturation edges, specials, subnormals and random bits.
 */
export function fillQuantInputs(r: () => number, bits: Uint32Array, s: number, zp: number, qmin: number, qmax: number): void {
  const f = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const specials = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fffffff, 0x00000001, 0x80000001,
    0x007fffff, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff];
  for (let i = 0; i < bits.length; i++) {
    const kind = randInt(r, 0, 9);
    if (kind <= 3) {
      const k = randInt(r, qmin - zp - 2, qmax - zp + 2);
      f[i] = ulpStep(Math.fround((k + 0.5) * s), randInt(r, -2, 2));
    } else if (kind === 4) {
      f[i] = ulpStep(Math.fround(randInt(r, qmin - zp - 2, qmax - zp + 2) * s), randInt(r, -1, 1));
    } else if (kind === 5) {
      bits[i] = specials[randInt(r, 0, specials.length - 1)]!;
    } else if (kind === 6) {
      bits[i] = (randInt(r, 0, 0x7fffff) | (r() < 0.5 ? 0x80000000 : 0)) >>> 0;   // subnormal
    } else if (kind === 7) {
      f[i] = Math.fround((r() - 0.5) * 2 * (qmax - qmin + 4) * s);
    } else {
      bits[i] = (r() * 4294967296) >>> 0;                                           // any bits, NaNs included
    }
  }
}

/** Random codes of an 8-bit range with every code present at least once when n >= levels. */
export function fillCodes(r: () => number, out: Int8Array | Uint8Array, qmin: number, qmax: number): void {
  const L = qmax - qmin + 1;
  for (let i = 0; i < out.length; i++) out[i] = i < L ? qmin + i : randInt(r, qmin, qmax);
}
