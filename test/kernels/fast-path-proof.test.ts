/**
 * The error arguments of quant.wgsl's native fast paths (fast_quantize, fast_dequantize), checked against
 * an ADVERSARIAL device, without a GPU. WGSL lets `*`, `+` and `-` return either neighbour of an inexact
 * result and lets subnormals be flushed; lavapipe happens to round to nearest, so the GPU suites alone
 * cannot show that the `ok` tests hold up on a device that does not. Here every native operation of the two
 * functions is modelled in TypeScript, with a seeded adversary choosing the rounded-to-nearest result or
 * the other neighbour (and flushing subnormals) per operation, and every `ok` result must equal the golden
 * reference: whatever the device does, a proven lane is right. The fraction of lanes proven under
 * round-to-nearest is checked too, so the fast paths cannot silently become dead code.
 *
 * Seeded: QDQSIM_SEED overrides the default; fast-check prints the seed and the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLimit } from '../../src/kernels/quant-params.ts';
import { rng, fillQuantInputs } from '../../src/kernels/test-data.ts';
import { bitsToF32, f32ToBits } from '../../src/sim/golden/dtype.ts';
import { quantizeQuotient } from '../../src/sim/golden/quantize.ts';
import { type QuantVariant, roundHalfEven, scaleDivide, variantOf } from '../../src/sim/golden/rounding.ts';
import { ulpStep } from '../../src/kernels/test-data.ts';

const SEED = Number(process.env.QDQSIM_SEED ?? 0xfa57);
const fl = Math.fround;
const MIN_NORMAL = 2 ** -126;

/** A WGSL-conforming device as an adversary: each inexact result may be either f32 neighbour; subnormals may flush. */
class Device {
  constructor(private readonly r: () => number, private readonly pOther: number, private readonly pFlush: number) {}
  /** The f32 result of an operation whose exact (float64) value is `exact`. */
  round(exact: number): number {
    let y = fl(exact);
    if (y !== exact && Number.isFinite(y) && this.r() < this.pOther) y = ulpStep(y, y > exact ? -1 : 1);
    return this.flush(y);
  }
  flush(v: number): number { return v !== 0 && Math.abs(v) < MIN_NORMAL && this.r() < this.pFlush ? 0 * Math.sign(v) : v; }
}

/** fast_quantize of quant.wgsl on `dev`: { d, ok }. */
function fastQuantize(dev: Device, x: number, s: number, zp: number, qmin: number, qmax: number, wide: boolean, fast = true) {
  const inv = fl(1 / s);
  const lim = fastLimit(f32ToBits(s), f32ToBits(inv));
  const xb = f32ToBits(x);
  const levels = qmax - qmin + 1;
  const passLim = (xb & 0x7f800000) >>> 0 < lim;
  if (!passLim) return { d: NaN, ok: false };            // the device may compute anything here: not ok either way
  const v = dev.round(dev.flush(x) * inv);               // the double product of two f32 is exact
  const r = roundHalfEven(v);
  const e = Math.abs(dev.round(v - r));
  const k = 31 - Math.clz32(levels) + 1;
  let halfMargin = 0.5 - 2 ** (k - 21);
  if (wide) halfMargin = dev.round(0.5 - Math.max(bitsToF32(((f32ToBits(v) & 0x7f800000) - (20 << 23)) >>> 0), 2 ** -20));
  const d = Math.min(Math.max(r, qmin - zp), qmax - zp);
  return { d, ok: fast && e < halfMargin };
}

/** fast_dequantize of quant.wgsl on `dev`: { y bits, ok }. */
function fastDequantize(dev: Device, d: number, s: number) {
  const sb = f32ToBits(s);
  const lim = fastLimit(sb, f32ToBits(fl(1 / s)));
  const shi = bitsToF32((sb & 0xffffff00) >>> 0);
  const slo = dev.round(s - shi);
  const a = dev.round(d * shi), b = dev.round(d * slo);
  const y = dev.round(a + b);
  const t = dev.round(dev.round(a - y) + b);
  const yb = f32ToBits(y);
  const he = bitsToF32(Math.max((f32ToBits(a) & 0x7f800000) - (24 << 23), 1 << 23));
  const zero = d === 0;
  const nearest = Math.abs(t) < he || (Math.abs(t) === he && (yb & 1) === 0);
  return { y: zero ? 0 : yb, ok: lim !== 0 && Math.abs(d) < 256 && nearest };
}

const goldenDequant = (d: number, s: number) => f32ToBits(fl(d * s)) >>> 0;
const goldenCode = (x: number, s: number, zp: number, qmin: number, qmax: number, v: QuantVariant) =>
  quantizeQuotient(scaleDivide(x, s, v.scaleOp), zp, qmin, qmax, v);

/** Scales that stress the dequantizer: powers of two, "round" decimals (d * s lands on powers of two), random bits, the range ends. */
function scales(r: () => number): number[] {
  const out = [2 ** -7, 2 ** -100, 2 ** 99, fl(2 ** 100 * (1 - 2 ** -24)), fl(0.05), fl(0.1), fl(0.3), fl(1 / 3), fl(0.0375), fl(1e-3), fl(127 / 3), fl(6 / 127)];
  for (let i = 0; i < 40; i++) out.push(bitsToF32(((Math.floor(r() * 200) + 27) << 23 | Math.floor(r() * 0x800000)) >>> 0));
  out.push(ulpStep(2 ** -100, -1), 2 ** 100);            // just outside: the fast paths must switch off
  return out;
}

describe(`fast-path error arguments on an adversarial device (seed ${SEED})`, () => {
  it('fast_dequantize: every code of every scale, either neighbour for each operation; proven => the nearest-even product', () => {
    const r = rng(SEED);
    let proven = 0, total = 0;
    for (const s of scales(r)) {
      for (let d = -255; d <= 255; d++) {
        for (const pOther of [0, 1, 0.5]) {
          const dev = new Device(r, pOther, 0.5);
          const got = fastDequantize(dev, d, s);
          if (got.ok && got.y !== goldenDequant(d, s)) {
            throw new Error(`seed ${SEED}: s = ${s} (0x${f32ToBits(s).toString(16)}), d = ${d}, pOther ${pOther}: proven 0x${got.y.toString(16)}, golden 0x${goldenDequant(d, s).toString(16)}`);
          }
          if (pOther === 0 && fastLimit(f32ToBits(s), f32ToBits(fl(1 / s))) !== 0) { total++; if (got.ok) proven++; }
        }
      }
    }
    // on a round-to-nearest device almost nothing is left to the integer path
    expect(proven / total).toBeGreaterThan(0.999);
  });

  it('fast_dequantize is off outside s in [2^-100, 2^100) and above |d| = 255', () => {
    const dev = new Device(rng(SEED), 0, 0);
    expect(fastDequantize(dev, 3, ulpStep(2 ** -100, -1)).ok).toBe(false);
    expect(fastDequantize(dev, 3, 2 ** 100).ok).toBe(false);
    expect(fastDequantize(dev, 256, 0.5).ok).toBe(false);
    expect(fastDequantize(dev, 3, 2 ** -100).ok).toBe(true);
  });

  const variants: [string, QuantVariant][] = [
    ['spec', variantOf()],
    ['mul_inv (PyTorch)', variantOf({ scaleOp: 'mul_inv' })],
    ['half_away', variantOf({ rounding: 'half_away' })],
    ['half_up', variantOf({ rounding: 'half_up' })],
    ['zero point before rounding', variantOf({ zeroPoint: 'before_round' })],
  ];
  const ranges: [number, number][] = [[-128, 127], [0, 255], [-127, 127], [-8, 7], [0, 15], [-2, 1], [-1000, 1000], [0, 65535]];

  for (const [name, variant] of variants) {
    it(`fast_quantize, ${name}: proven lanes equal the golden code on ties, +-ULPs, specials, subnormals, random bits`, () => {
      let proven = 0, total = 0;
      fc.assert(fc.property(
        fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(...ranges), fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0, 0.5, 1), fc.integer({ min: 27, max: 226 }), fc.integer({ min: 0, max: 0x7fffff }),
        (seed, [qmin, qmax], zf, pOther, se, sm) => {
          const s = bitsToF32(((se << 23) | sm) >>> 0);
          const zp = qmin + Math.floor(zf * (qmax - qmin));
          const wide = qmax - qmin + 1 > 256;
          const r = rng(seed);
          const dev = new Device(r, pOther, 0.5);
          const bits = new Uint32Array(64);
          fillQuantInputs(r, bits, s, zp, qmin, qmax);
          for (const xb of bits) {
            const x = bitsToF32(xb);
            const got = fastQuantize(dev, x, s, zp, qmin, qmax, wide);
            const want = goldenCode(x, s, zp, qmin, qmax, variant);
            if (got.ok && got.d + zp !== want) {
              throw new Error(`x = ${x} (0x${xb.toString(16)}), s = ${s} (0x${f32ToBits(s).toString(16)}), zp ${zp}, [${qmin}, ${qmax}], pOther ${pOther}: proven code ${got.d + zp}, golden ${want}`);
            }
            if (pOther === 0 && Number.isFinite(x)) { total++; if (got.ok) proven++; }
          }
        }), { seed: SEED, numRuns: 400 });
      // the inputs here are concentrated at ties (where the fast path must give up); still most are proven
      expect(proven / total).toBeGreaterThan(0.4);
    });
  }

  it('fast_quantize on uniformly spread inputs proves all but about 2^(k - 20) of them', () => {
    const r = rng(SEED + 1);
    const dev = new Device(r, 0, 0);
    const s = fl(0.05);
    let unproven = 0;
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const x = fl((r() - 0.5) * 2 * 130 * s);
      if (!fastQuantize(dev, x, s, 0, -128, 127, false).ok) unproven++;
    }
    expect(unproven / N).toBeLessThan(2 ** -9);
  });
});
