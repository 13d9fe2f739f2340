// SPDX-License-Identifier: Apache-2.0
/**
 * The kernel self-check behind `qdqsim kernels check`: every kernel, each exact method and dot-product
 * path, over the tie-focused golden vectors (test/fixtures/golden-vectors) and seeded differential
 * inputs, compared with the golden TypeScript reference (integers exactly, floats bitwise).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType } from '../sim/data-type.ts';
import { bitsToF32, f32ToBits, intRange } from '../sim/golden/dtype.ts';
import { fakeQuantForward, fakeQuantLsqGradients as goldenLsq } from '../sim/golden/fake-quant.ts';
import { conv2dInt32, matmulInt32, requantize } from '../sim/golden/integer-ops.ts';
import { dequantizeTensor, quantizeTensor } from '../sim/golden/quantize.ts';
import type { QuantVariant } from '../sim/golden/rounding.ts';
import { convInteger } from './conv-integer.ts';
import { dequantizeLinear } from './dequantize-linear.ts';
import { fakeQuant } from './fake-quant.ts';
import { fakeQuantBackward, fakeQuantLsqGradients } from './fake-quant-backward.ts';
import type { Dot4Path, ExactMethod } from './kernel-spec.ts';
import { matmulInteger } from './matmul-integer.ts';
import { KERNEL_QUANT_DTYPES } from './quant-params.ts';
import { quantizeLinear } from './quantize-linear.ts';
import { requantizeGpu } from './requantize.ts';
import type { KernelRunner } from './runner.ts';
import { fillCodes, fillQuantInputs, randInt, rng } from './test-data.ts';

export const GOLDEN_VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'golden-vectors');

export interface CheckResult {
  kernel: string;
  variant: string;
  source: 'golden-vectors' | 'differential';
  elements: number;
  mismatches: number;
  /** Cases the kernel does not implement (int16 codes, the non-monotone int32-wrap overflow...). */
  unsupported: number;
  firstBad?: string;
  error?: string;
}

const dtypeOf = (name: string): DataType => DataType[name as keyof typeof DataType];

function readVectors(file: string): { variants: Record<string, QuantVariant>; cases: Record<string, unknown>[] } | undefined {
  const p = join(GOLDEN_VECTOR_DIR, file);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8'));
}

const METHODS: ExactMethod[] = ['integer', 'lut'];
const supportsInteger = (v: QuantVariant) => v.rounding === 'half_even' && v.overflow === 'saturate' && v.zeroPoint === 'after_round';

/** Golden vectors through QuantizeLinear, fake-quant (forward + STE mask) and the requantize epilogue. */
export async function goldenVectorChecks(runner: KernelRunner): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const qv = readVectors('quantize.json');
  if (qv) {
    for (const method of METHODS) {
      for (const [vname, variant] of Object.entries(qv.variants)) {
        const r: CheckResult = { kernel: 'quantize-linear', variant: `${method}/${vname}`, source: 'golden-vectors', elements: 0, mismatches: 0, unsupported: 0 };
        out.push(r);
        const ok = method === 'lut' || supportsInteger(variant);
        // one dispatch per dtype: each case is its own channel (per-axis params on a 1-D tensor)
        const byDtype = new Map<DataType, Record<string, unknown>[]>();
        for (const c of qv.cases) {
          const dt = dtypeOf(c.dtype as string);
          if (!ok || !KERNEL_QUANT_DTYPES.includes(dt)) { r.unsupported++; continue; }
          byDtype.set(dt, [...(byDtype.get(dt) ?? []), c]);
        }
        for (const [dt, cases] of byDtype) {
          const x = Float32Array.from(cases, (c) => bitsToF32(Number.parseInt(c.x_bits as string, 16)));
          const scale = Float32Array.from(cases, (c) => bitsToF32(Number.parseInt(c.scale_bits as string, 16)));
          try {
            const got = await quantizeLinear(runner, x, [cases.length], { dtype: dt, scale, zeroPoint: cases.map((c) => c.zero_point as number), axis: 0, variant, method });
            cases.forEach((c, i) => {
              r.elements++;
              const want = (c.expected as Record<string, number>)[vname];
              if (got[i] !== want) { r.mismatches++; r.firstBad ??= `case ${c.id as string}: kernel ${got[i]}, expected ${want}`; }
            });
          } catch (e) { r.error = (e as Error).message; r.mismatches += cases.length; }
        }
      }
    }
  }
  const f8 = readVectors('float8.json');
  if (f8) {
    for (const sat of [true, false]) {
      const r: CheckResult = { kernel: 'quantize-linear', variant: `float8/${sat ? 'saturate' : 'no_saturate'}`, source: 'golden-vectors', elements: 0, mismatches: 0, unsupported: 0 };
      out.push(r);
      const byDtype = new Map<DataType, Record<string, unknown>[]>();
      for (const c of f8.cases) { const dt = dtypeOf(c.dtype as string); byDtype.set(dt, [...(byDtype.get(dt) ?? []), c]); }
      for (const [dt, cases] of byDtype) {
        // the vectors encode x itself: quantize with scale 1 (x / 1 is exact)
        const x = Float32Array.from(cases, (c) => bitsToF32(Number.parseInt(c.x_bits as string, 16)));
        try {
          const got = await quantizeLinear(runner, x, [cases.length], { dtype: dt, scale: [1], saturate: sat });
          cases.forEach((c, i) => {
            r.elements++;
            const want = (c.expected as Record<string, number>)[sat ? 'saturate' : 'no_saturate'];
            if (got[i] !== want) { r.mismatches++; r.firstBad ??= `case ${c.id as string}: kernel ${got[i]}, expected ${want}`; }
          });
        } catch (e) { r.error = (e as Error).message; r.mismatches += cases.length; }
      }
    }
  }
  const fv = readVectors('fake-quant.json');
  if (fv) {
    for (const method of METHODS) {
      for (const [vname, variant] of Object.entries(fv.variants)) {
        const r: CheckResult = { kernel: 'fake-quant', variant: `${method}/${vname}`, source: 'golden-vectors', elements: 0, mismatches: 0, unsupported: 0 };
        out.push(r);
        for (const c of fv.cases) {
          const x = Float32Array.of(bitsToF32(Number.parseInt(c.x_bits as string, 16)));
          const p = { scale: [bitsToF32(Number.parseInt(c.scale_bits as string, 16))], zeroPoint: [c.zero_point as number], qmin: c.qmin as number, qmax: c.qmax as number, variant, method };
          const want = (c.expected as Record<string, { y_bits: string; mask: number }>)[vname]!;
          try {
            const y = await fakeQuant(runner, x, [1], p);
            const dx = await fakeQuantBackward(runner, x, [1], Float32Array.of(1), p);
            r.elements++;
            const yb = f32ToBits(y[0]!), wb = Number.parseInt(want.y_bits, 16);
            if (yb !== wb || dx[0] !== want.mask) { r.mismatches++; r.firstBad ??= `case ${c.id as string}: y 0x${yb.toString(16)} mask ${dx[0]}, expected ${want.y_bits} mask ${want.mask}`; }
          } catch (e) { r.error = (e as Error).message; r.mismatches++; }
        }
      }
    }
  }
  const rv = readVectors('requantize.json');
  if (rv) {
    for (const method of METHODS) {
      for (const [vname, variant] of Object.entries(rv.variants)) {
        const r: CheckResult = { kernel: 'requantize', variant: `${method}/${vname}`, source: 'golden-vectors', elements: 0, mismatches: 0, unsupported: 0 };
        out.push(r);
        for (const c of rv.cases) {
          if (method === 'integer' && (variant.requant !== 'f32' || variant.zeroPoint !== 'after_round')) { r.unsupported++; continue; }
          const dt = dtypeOf(c.dtype as string);
          const { min, max } = intRange(dt);
          const f = (k: string) => bitsToF32(Number.parseInt(c[k] as string, 16));
          try {
            const got = await requantizeGpu(runner, Int32Array.of(c.acc as number), {
              outDtype: dt, qmin: min, qmax: max, xScale: f('x_scale_bits'), wScale: [f('w_scale_bits')], yScale: f('y_scale_bits'),
              yZeroPoint: c.y_zero_point as number, channels: 1, channelStride: 1, variant, method,
            });
            r.elements++;
            const want = (c.expected as Record<string, number>)[vname];
            if (got[0] !== want) { r.mismatches++; r.firstBad ??= `case ${c.id as string}: kernel ${got[0]}, expected ${want}`; }
          } catch (e) { r.error = (e as Error).message; r.mismatches++; }
        }
      }
    }
  }
  return out;
}

function count(a: ArrayLike<number>, b: ArrayLike<number>): { n: number; first: number } {
  let n = 0, first = -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { n++; if (first < 0) first = i; }
  return { n, first };
}

/**
 * Seeded differential checks, `elements` per kernel and method/path (at least 2^16), mixed per-tensor and
 * per-channel, all supported dtypes.
 */
export async function differentialChecks(runner: KernelRunner, opts: { seed?: number; elements?: number } = {}): Promise<CheckResult[]> {
  const seed = opts.seed ?? 20261130;
  const total = Math.max(1 << 16, opts.elements ?? 1 << 20);
  const out: CheckResult[] = [];
  const rounds = 4;
  const per = Math.ceil(total / rounds);
  const dtypes = [DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4];
  const run = async (kernel: string, variant: string, body: (r: () => number, round: number) => Promise<{ n: number; bad: number; first: string }>) => {
    const res: CheckResult = { kernel, variant, source: 'differential', elements: 0, mismatches: 0, unsupported: 0 };
    out.push(res);
    for (let round = 0; round < rounds; round++) {
      const s = (seed + round * 7919) | 0;
      try {
        const { n, bad, first } = await body(rng(s), round);
        res.elements += n; res.mismatches += bad;
        if (bad) res.firstBad ??= `seed ${s}: ${first}`;
      } catch (e) { res.error = (e as Error).message; res.mismatches++; }
    }
  };
  const quantCase = (r: () => number, round: number) => {
    const dt = dtypes[round % dtypes.length]!;
    const { min, max } = intRange(dt);
    const perChannel = round % 2 === 1;
    const C = perChannel ? randInt(r, 2, 17) : 1;
    const inner = perChannel ? randInt(r, 1, 9) : per;
    const outer = Math.max(1, Math.floor(per / (C * inner)));
    const dims = perChannel ? [outer, C, inner] : [inner];
    const scale = Float32Array.from({ length: C }, () => Math.fround(2 ** randInt(r, -10, 2) * (1 + r())));
    const zp = Array.from({ length: C }, () => randInt(r, min, max));
    const n = dims.reduce((a, b) => a * b, 1);
    const bits = new Uint32Array(n);
    const seg = perChannel ? inner : n;
    for (let o = 0; o < n / seg; o++) fillQuantInputs(r, bits.subarray(o * seg, (o + 1) * seg), scale[o % C]!, zp[o % C]!, min, max);
    return { dt, min, max, dims, scale, zp, axis: perChannel ? 1 : undefined, x: new Float32Array(bits.buffer), n };
  };
  const tensor = (dt: DataType, dims: number[], data: Float32Array | Int8Array | Uint8Array | Int32Array) => ({ dtype: dt, dims, data });
  const params = (c: ReturnType<typeof quantCase>) => ({
    s: tensor(DataType.FLOAT, c.scale.length > 1 ? [c.scale.length] : [], c.scale),
    z: tensor(c.dt, c.scale.length > 1 ? [c.scale.length] : [], (c.min < 0 ? Int8Array : Uint8Array).from(c.zp)),
  });
  for (const method of METHODS) {
    for (const [vname, variant] of [['spec', {}], ['mul_inv', { scaleOp: 'mul_inv' as const }]] as const) {
      await run('quantize-linear', `${method}/${vname}`, async (r, round) => {
        const c = quantCase(r, round);
        const got = await quantizeLinear(runner, c.x, c.dims, { dtype: c.dt, scale: c.scale, zeroPoint: c.zp, axis: c.axis, variant, method });
        const { s, z } = params(c);
        const want = quantizeTensor(tensor(DataType.FLOAT, c.dims, c.x), s, z, { outputDtype: c.dt, axis: c.axis ?? 1, variant }).data as Int8Array;
        const m = count(got, want);
        return { n: c.n, bad: m.n, first: m.n ? `index ${m.first}: x bits 0x${f32ToBits(c.x[m.first]!).toString(16)}, kernel ${got[m.first]}, golden ${want[m.first]}` : '' };
      });
      await run('fake-quant', `${method}/${vname}`, async (r, round) => {
        const c = quantCase(r, round);
        const fp = { scale: c.scale, zeroPoint: c.zp, qmin: c.min, qmax: c.max, axis: c.axis, variant };
        const got = await fakeQuant(runner, c.x, c.dims, { ...fp, method });
        const want = fakeQuantForward(c.x, c.dims, fp).y;
        const m = count(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
        return { n: c.n, bad: m.n, first: m.n ? `index ${m.first}: x ${c.x[m.first]}, kernel ${got[m.first]}, golden ${want[m.first]}` : '' };
      });
    }
    await run('fake-quant-backward', `${method}/lsq`, async (r, round) => {
      const c = quantCase(r, round);
      const dy = Float32Array.from(c.x, () => Math.fround(r() - 0.5));
      const fp = { scale: c.scale, zeroPoint: c.zp, qmin: c.min, qmax: c.max, axis: c.axis };
      const got = await fakeQuantLsqGradients(runner, c.x, c.dims, dy, { ...fp, method });
      const want = goldenLsq(c.x, c.dims, dy, fp);
      const m = count(new Uint32Array(got.dx.buffer), new Uint32Array(want.dx.buffer));
      const g = count(new Uint32Array([...got.dScale, ...got.dZeroPoint].map(f32ToBits)), new Uint32Array([...want.dScale, ...want.dZeroPoint].map(f32ToBits)));
      return { n: c.n, bad: m.n + g.n, first: m.n ? `dx index ${m.first}` : g.n ? `scale/zero-point gradient ${g.first}` : '' };
    });
    await run('dequantize-linear', method, async (r, round) => {
      const c = quantCase(r, round);
      const codes = c.min < 0 ? new Int8Array(c.n) : new Uint8Array(c.n);
      fillCodes(r, codes, c.min, c.max);
      const got = await dequantizeLinear(runner, codes, c.dims, { dtype: c.dt, scale: c.scale, zeroPoint: c.zp, axis: c.axis, method });
      const { s, z } = params(c);
      const want = dequantizeTensor(tensor(c.dt, c.dims, codes), s, z, { axis: c.axis ?? 1 }).data as Float32Array;
      const m = count(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
      return { n: c.n, bad: m.n, first: m.n ? `index ${m.first}: code ${codes[m.first]}` : '' };
    });
    await run('requantize', method === 'lut' ? 'lut/fused-f64-before-round' : 'integer/float-bias-relu-residual', async (r) => {
      const n = per, C = randInt(r, 1, 16), stride = randInt(r, 1, 33);
      const wScale = Array.from({ length: C }, () => Math.fround(2 ** randInt(r, -10, -6) * (1 + r())));
      const acc = Int32Array.from({ length: n }, () => (r() < 0.1 ? randInt(r, -(2 ** 31), 2 ** 31 - 1) : randInt(r, -40000, 40000)));
      const res = Int8Array.from({ length: n }, () => randInt(r, -128, 127));
      const o = method === 'lut'
        ? { qmin: -128, qmax: 127, xScale: Math.fround(0.05), wScale, yScale: Math.fround(0.1), yZeroPoint: randInt(r, -128, 127), channels: C, channelStride: stride, variant: { requant: 'f64' as const, zeroPoint: 'before_round' as const } }
        : { qmin: -128, qmax: 127, xScale: Math.fround(0.05), wScale, yScale: Math.fround(0.1), yZeroPoint: randInt(r, -128, 127), channels: C, channelStride: stride,
          mode: 'float' as const, floatBias: wScale.map(() => Math.fround(r() - 0.5)), activation: { kind: 'relu' as const }, residual: { data: res, scale: Math.fround(0.04), zeroPoint: 1 } };
      const got = await requantizeGpu(runner, acc, { ...o, outDtype: DataType.INT8, method });
      const want = requantize(acc, new Int8Array(n), o);
      const m = count(got, want);
      return { n, bad: m.n, first: m.n ? `index ${m.first}: acc ${acc[m.first]}, kernel ${got[m.first]}, golden ${want[m.first]}` : '' };
    });
  }
  const F8 = [DataType.FLOAT8E4M3FN, DataType.FLOAT8E4M3FNUZ, DataType.FLOAT8E5M2, DataType.FLOAT8E5M2FNUZ];
  await run('quantize-linear', 'float8 (4 formats, saturate on/off)', async (r, round) => {
    const dt = F8[round % 4]!, saturate = round % 2 === 0;
    const s = Math.fround(2 ** randInt(r, -8, 8) * (1 + r()));
    const bits = new Uint32Array(per);
    fillQuantInputs(r, bits, s, 0, -600, 600);
    const x = new Float32Array(bits.buffer);
    const got = await quantizeLinear(runner, x, [per], { dtype: dt, scale: [s], saturate });
    const want = quantizeTensor(tensor(DataType.FLOAT, [per], x), tensor(DataType.FLOAT, [], Float32Array.of(s)), undefined, { outputDtype: dt, saturate }).data as Uint8Array;
    const m = count(got, want);
    return { n: per, bad: m.n, first: m.n ? `index ${m.first}: x bits 0x${bits[m.first]!.toString(16)}, kernel ${got[m.first]}, golden ${want[m.first]}` : '' };
  });
  await run('dequantize-linear', 'float8 (4 formats, every code)', async (r, round) => {
    const dt = F8[round % 4]!;
    const s = Math.fround(2 ** randInt(r, -8, 8) * (1 + r()));
    const codes = Uint8Array.from({ length: per }, (_, i) => (i < 256 ? i : randInt(r, 0, 255)));
    const got = await dequantizeLinear(runner, codes, [per], { dtype: dt, scale: [s] });
    const want = dequantizeTensor(tensor(dt, [per], codes), tensor(DataType.FLOAT, [], Float32Array.of(s)), undefined).data as Float32Array;
    const m = count(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
    return { n: per, bad: m.n, first: m.n ? `index ${m.first}: code ${codes[m.first]}, kernel ${got[m.first]}, golden ${want[m.first]}` : '' };
  });
  const paths: Dot4Path[] = ['scalar', ...(runner.ctx.hasDot4 ? ['packed' as const] : [])];
  for (const path of paths) {
    await run('matmul-integer', path, async (r, round) => {
      const ua = round % 2 === 1, ub = round % 4 >= 2;
      const N = randInt(r, 200, 300), M = Math.max(1, Math.floor(per / N)), K = randInt(r, 1, 70);
      const a = ua ? Uint8Array.from({ length: M * K }, () => randInt(r, 0, 255)) : Int8Array.from({ length: M * K }, () => randInt(r, -128, 127));
      const b = ub ? Uint8Array.from({ length: K * N }, () => randInt(r, 0, 255)) : Int8Array.from({ length: K * N }, () => randInt(r, -128, 127));
      const az = Array.from({ length: M }, () => randInt(r, ua ? 0 : -128, ua ? 255 : 127));
      const bz = randInt(r, ub ? 0 : -128, ub ? 255 : 127);
      const got = await matmulInteger(runner, a, [M, K], b, [K, N], { aZeroPoint: az, bZeroPoint: bz, dot4: path });
      const want = matmulInt32(a, az, b, bz, M, K, N);
      const m = count(got.data, want);
      return { n: want.length, bad: m.n, first: m.n ? `index ${m.first} (M ${M} K ${K} N ${N})` : '' };
    });
    await run('conv-integer', path, async (r, round) => {
      const group = [1, 2, 1, 0][round % 4]!;
      const C = group === 0 ? 16 : group * randInt(r, 1, 8), g = group === 0 ? 16 : group;
      const M = group === 0 ? 16 : g * randInt(r, 1, 8);
      const kH = randInt(r, 1, 3), kW = randInt(r, 1, 3);
      const p = { strides: [randInt(r, 1, 2), randInt(r, 1, 2)], pads: [randInt(r, 0, 1), randInt(r, 0, 1), randInt(r, 0, 1), randInt(r, 0, 1)], dilations: [randInt(r, 1, 2), randInt(r, 1, 2)], group: g };
      const side = Math.max(6, Math.round(Math.sqrt(per / M)) * p.strides[0]!);
      const x = Int8Array.from({ length: C * side * side }, () => randInt(r, -128, 127));
      const w = Uint8Array.from({ length: M * (C / g) * kH * kW }, () => randInt(r, 0, 255));
      const xz = randInt(r, -128, 127), wz = Array.from({ length: M }, () => randInt(r, 0, 255));
      const bias = Int32Array.from({ length: M }, () => randInt(r, -(2 ** 31), 2 ** 31 - 1));
      const got = await convInteger(runner, x, [1, C, side, side], w, [M, C / g, kH, kW], { ...p, xZeroPoint: xz, wZeroPoint: wz, bias, dot4: path });
      const want = conv2dInt32(x, [1, C, side, side], xz, w, [M, C / g, kH, kW], wz, p, bias);
      const m = count(got.data, want.data);
      return { n: want.data.length, bad: m.n, first: m.n ? `index ${m.first} ${JSON.stringify(p)}` : '' };
    });
  }
  return out;
}
