// SPDX-License-Identifier: Apache-2.0
/**
 * Fake quantization backward on the GPU (wgsl/fake-quant-backward.wgsl), the golden fake-quant.ts bit
 * for bit: the STE backward dx = mask ? dy : 0 ('rounded' or 'input' mask) and the LSQ learnable-scale
 * gradients (per-element terms on the GPU, float64 sums in element order on the host).
 */
import { bitsToF32 } from '../sim/golden/dtype.ts';
import { quantizeQuotient } from '../sim/golden/quantize.ts';
import { scaleDivide } from '../sim/golden/rounding.ts';
import { type FakeQuantGpuParams, prepareFakeQuantParams as prepare } from './fake-quant.ts';
import { keyToF32 } from './lut.ts';
import { type PreparedQuant, channelWords, firstKey, quantDesc } from './quant-params.ts';
import { checkLength } from './quantize-linear.ts';
import { grid1d, type KernelRunner } from './runner.ts';

/** Per channel: key bounds of {x : qmin <= r(x) <= qmax} and of the exact 'input' mask interval. */
function maskBounds(q: PreparedQuant): Int32Array {
  const b = new Int32Array(4 * q.channels);
  for (let c = 0; c < q.channels; c++) {
    const s = bitsToF32(q.scaleBits[c]!), z = q.zeroPoint[c]!;
    // r unclamped: quantizeQuotient with an unbounded range
    const r = (k: number) => quantizeQuotient(scaleDivide(keyToF32(k), s, q.variant.scaleOp), z, -Infinity, Infinity, q.variant);
    b[4 * c] = firstKey((k) => r(k) >= q.qmin);
    b[4 * c + 1] = firstKey((k) => r(k) > q.qmax) - 1;
    const lo = (q.qmin - z) * s, hi = (q.qmax - z) * s; // exact in float64
    b[4 * c + 2] = firstKey((k) => keyToF32(k) >= lo);
    b[4 * c + 3] = firstKey((k) => keyToF32(k) > hi) - 1;
  }
  return b;
}

interface BackwardParts { dx: Float32Array; term: Float32Array; side: Int8Array }

async function backwardParts(runner: KernelRunner, x: Float32Array, dims: readonly number[], dy: Float32Array, p: FakeQuantGpuParams, inputMask: boolean): Promise<BackwardParts> {
  checkLength(x.length, dims, 'fake-quant x');
  if (dy.length !== x.length) throw new RangeError(`fake-quant backward: dy has ${dy.length} elements, x ${x.length}`);
  const q = prepare(dims, p);
  const n = x.length;
  const dx = new Float32Array(n), term = new Float32Array(n), side = new Int8Array(n);
  if (n === 0) return { dx, term, side };
  runner.checkSize(n * 4, 'fake-quant backward x');
  const desc = { ...quantDesc('fake-quant-backward', q, { INPUT_MASK: inputMask ? 1 : 0 }),
    bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'read_write', 'read_write', 'read_write'] as const };
  const pipeline = await runner.pipeline(desc);
  // every per-element array padded to whole words of four (the kernel reads and writes vec4s); the large
  // ones come from the runner's pool (fresh memory faults per page on first touch, perf-baseline.md P1)
  const n4 = Math.ceil(n / 4) * 4;
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const xb = runner.scratch(n4 * 4, 'x'), dyb = runner.scratch(n4 * 4, 'dy');
  const outs = [runner.scratch(n4 * 4, 'dx'), runner.scratch(n4 * 4, 'term'), runner.scratch(n4, 'side')];
  const small = [runner.uniform([n, q.inner, q.channels, q.levels, q.qmin, q.qmax, q.nanCode, 0]), runner.upload(channelWords(q), 'chan'),
    runner.upload(q.lut, 'lut'), runner.upload(maskBounds(q), 'bounds')];
  try {
    await runner.uploadInto(xb, bytes(x));
    await runner.uploadInto(dyb, bytes(dy));
    await runner.submit(runner.encode(pipeline, [small[0]!, small[1]!, small[2]!, xb, dyb, small[3]!, ...outs], grid1d(Math.ceil(n / 4 / 256))));
    await runner.readback(outs[0]!, n * 4, new Uint8Array(dx.buffer));
    await runner.readback(outs[1]!, n * 4, new Uint8Array(term.buffer));
    await runner.readback(outs[2]!, n, new Uint8Array(side.buffer));
  } finally {
    for (const b of small) b.destroy();
    for (const b of [xb, dyb, ...outs]) runner.recycle(b);
  }
  return { dx, term, side };
}

/** STE backward: dx = mask ? dy : 0, with the golden mask kind ('rounded' default, or 'input'). */
export async function fakeQuantBackward(runner: KernelRunner, x: Float32Array, dims: readonly number[], dy: Float32Array, p: FakeQuantGpuParams): Promise<Float32Array> {
  return (await backwardParts(runner, x, dims, dy, p, p.mask === 'input')).dx;
}

/**
 * LSQ gradients (golden `fakeQuantLsqGradients`): dx and the per-element terms come from the GPU; the
 * per-channel float64 sums are formed here in element order, then rounded to float32 once.
 */
export async function fakeQuantLsqGradients(runner: KernelRunner, x: Float32Array, dims: readonly number[], dy: Float32Array,
  p: FakeQuantGpuParams, gradFactor = 1): Promise<{ dx: Float32Array; dScale: Float32Array; dZeroPoint: Float32Array }> {
  const parts = await backwardParts(runner, x, dims, dy, { ...p, mask: 'rounded' }, false);
  const C = p.scale.length;
  const q = prepare(dims, p);
  const ds = new Float64Array(C), dz = new Float64Array(C);
  for (let i = 0; i < x.length; i++) {
    const c = C === 1 ? 0 : Math.floor(i / q.inner) % C;
    const g = dy[i]!;
    ds[c] += g * parts.term[i]!;
    if (parts.side[i] !== 0) dz[c] += g * -p.scale[c]!;
  }
  const dScale = new Float32Array(C), dZeroPoint = new Float32Array(C);
  for (let c = 0; c < C; c++) { dScale[c] = ds[c]! * gradFactor; dZeroPoint[c] = dz[c]! * gradFactor; }
  return { dx: parts.dx, dScale, dZeroPoint };
}

