/**
 * Quantize throughput: the golden reference (WebAssembly SIMD path and the plain JS loop) against
 * onnxruntime-node's QuantizeLinear, same data, same thread count (1), in one run.
 *   npx tsx bench/golden-quantize.ts [--n 16777216] [--reps 7]
 * Data (perf-baseline.md §2-3): uniform8 = U[-8,8) with every 64th element an exact tie (21 % of the
 * elements saturate at scale 0.05), gauss1p5 = N(0, 1.5^2) (almost none saturate). ORT time is its
 * kernel time from the profiler (its sess.run wall time includes page faults on a fresh output).
 */
import { DataType } from '../src/sim/data-type.ts';
import { quantizeRunF32, quantizeTensor } from '../src/sim/golden/quantize.ts';
import { simdAvailable } from '../src/sim/golden/quantize-simd.ts';
import { buildSingleNodeModel } from '../test/sim/golden/ort-model.ts';
import { fmt, mulberry32, ort, ortTimes, stats, timeIt } from './golden-bench-util.ts';

const arg = (k: string, d: number) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const N = arg('--n', 1 << 24);
const REPS = arg('--reps', 11);
const S = 0.05;

function data(kind: 'uniform8' | 'gauss1p5'): Float32Array {
  const r = mulberry32(kind === 'uniform8' ? 1 : 2);
  const x = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    if (kind === 'uniform8') x[i] = i % 64 === 0 ? (Math.floor(r() * 64) - 32 + 0.5) * 0.25 : r() * 16 - 8;
    else { const u = r() || 1e-12, v = r(); x[i] = 1.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v); }
  }
  return x;
}

const model = buildSingleNodeModel({
  op: 'QuantizeLinear', opset: 13, inputs: [{ name: 'x', dtype: DataType.FLOAT, dims: [N] }],
  initializers: { s: { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(S) }, z: { dtype: DataType.INT8, dims: [], data: Int8Array.of(0) } },
  nodeInputs: ['x', 's', 'z'], outputs: [{ name: 'y', dtype: DataType.INT8 }],
});

console.log(`golden-quantize: N=${N}, reps=${REPS}, float32 -> int8, per tensor, scale ${S}; SIMD available: ${simdAvailable()}; node ${process.version}`);
console.log('| data | engine | ms min / med | Melem/s best | ratio to ORT kernel (best) |');
console.log('|---|---|---|---|---|');
for (const kind of ['uniform8', 'gauss1p5'] as const) {
  const x = data(kind);
  const xt = { dtype: DataType.FLOAT, dims: [N], data: x };
  const st = { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(S) };
  const zt = { dtype: DataType.INT8, dims: [], data: Int8Array.of(0) };
  let last: Int8Array | undefined;
  const pre = new Int8Array(N);
  const simd = stats(timeIt(() => { last = quantizeTensor(xt, st, zt, { outputDtype: DataType.INT8, out: pre }).data as Int8Array; }, REPS));
  const fresh = stats(timeIt(() => { quantizeTensor(xt, st, zt, { outputDtype: DataType.INT8 }); }, REPS));
  const y = new Int8Array(N);
  const js = stats(timeIt(() => quantizeRunF32(x, 0, N, S, 0, -128, 127, 'div', y), REPS));
  const o = await ortTimes(model, { x: new ort.Tensor('float32', x, [N]) }, 1, REPS);
  const ok = stats(o.kernel), ow = stats(o.wall);
  // correctness in the same run: ORT output vs golden
  const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const oy = (await sess.run({ x: new ort.Tensor('float32', x, [N]) })).y.data as Int8Array;
  let diff = 0;
  for (let i = 0; i < N; i++) if (oy[i] !== last![i] || y[i] !== last![i]) diff++;
  await sess.release();
  const rate = (ms: number) => N / ms / 1e3;
  console.log(`| ${kind} | golden (WASM SIMD), preallocated output | ${fmt(simd.min)} / ${fmt(simd.med)} | ${fmt(rate(simd.min), 0)} | ${fmt(100 * ok.min / simd.min, 1)} % |`);
  console.log(`| ${kind} | golden (WASM SIMD), fresh output array each call | ${fmt(fresh.min)} / ${fmt(fresh.med)} | ${fmt(rate(fresh.min), 0)} | ${fmt(100 * ok.min / fresh.min, 1)} % |`);
  console.log(`| ${kind} | golden (JS loop) | ${fmt(js.min)} / ${fmt(js.med)} | ${fmt(rate(js.min), 0)} | ${fmt(100 * ok.min / js.min, 1)} % |`);
  console.log(`| ${kind} | ORT QuantizeLinear kernel (profiler) | ${fmt(ok.min)} / ${fmt(ok.med)} | ${fmt(rate(ok.min), 0)} | 100 % |`);
  console.log(`| ${kind} | ORT sess.run wall | ${fmt(ow.min)} / ${fmt(ow.med)} | ${fmt(rate(ow.min), 0)} | |`);
  console.log(`| ${kind} | check: elements differing from ORT | ${diff} / ${N} | | |`);
}
