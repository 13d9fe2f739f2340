/**
 * int8 conv throughput: the golden conv2dInt32 against onnxruntime-node on ResNet-50 layer shapes
 * (batch 1), same thread count (1), one run. ORT's int8 speed depends on signedness (perf-baseline
 * §4): ConvInteger s8 x s8 is its slow signed path, x=s8/w=u8 and QLinearConv u8 x s8 take the VNNI
 * path; all are reported. ORT times are kernel times from its profiler.
 *   npx tsx bench/golden-conv.ts [--reps 5]
 */
import { DataType } from '../src/sim/data-type.ts';
import { conv2dInt32 } from '../src/sim/golden/integer-ops.ts';
import { buildSingleNodeModel } from '../test/sim/golden/ort-model.ts';
import { fmt, mulberry32, ort, ortTimes, stats, timeIt } from './golden-bench-util.ts';

const arg = (k: string, d: number) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const REPS = arg('--reps', 5);
const SHAPES = [
  { name: '(a) x[1,64,56,56] w[64,64,3,3] pad 1', C: 64, H: 56, M: 64, k: 3, p: 1 },
  { name: '(b) x[1,256,56,56] w[64,256,1,1]', C: 256, H: 56, M: 64, k: 1, p: 0 },
  { name: '(c) x[1,512,7,7] w[512,512,3,3] pad 1', C: 512, H: 7, M: 512, k: 3, p: 1 },
];

console.log(`golden-conv: reps=${REPS}, batch 1, 1 thread; node ${process.version}`);
console.log('| shape | engine | ms min / med | GOPS best | golden / this (best) |');
console.log('|---|---|---|---|---|');
for (const sh of SHAPES) {
  const r = mulberry32(sh.C * 7 + sh.k);
  const nx = sh.C * sh.H * sh.H, nw = sh.M * sh.C * sh.k * sh.k;
  const xs8 = Int8Array.from({ length: nx }, () => Math.floor(r() * 256) - 128);
  const ws8 = Int8Array.from({ length: nw }, () => Math.floor(r() * 255) - 127);
  const xu8 = Uint8Array.from(xs8, (v) => v + 128), wu8 = Uint8Array.from(ws8, (v) => v + 128);
  const OH = sh.H + 2 * sh.p - sh.k + 1;
  const ops = 2 * sh.M * OH * OH * sh.C * sh.k * sh.k;
  const gops = (ms: number) => ops / ms / 1e6;
  const xd = [1, sh.C, sh.H, sh.H], wd = [sh.M, sh.C, sh.k, sh.k];
  const params = { pads: [sh.p, sh.p, sh.p, sh.p] };
  let golden: Int32Array | undefined;
  const g = stats(timeIt(() => { golden = conv2dInt32(xs8, xd, 0, ws8, wd, 0, params).data; }, REPS, 1));
  console.log(`| ${sh.name} | golden conv2dInt32 (s8 x s8) | ${fmt(g.min)} / ${fmt(g.med)} | ${fmt(gops(g.min))} | |`);
  const variants = [
    { label: 'ORT ConvInteger x=s8 w=s8 (signed path)', x: xs8, xt: DataType.INT8, w: ws8, wt: DataType.INT8, xz: 0, wz: 0 },
    { label: 'ORT ConvInteger x=s8 w=u8 (VNNI path)', x: xs8, xt: DataType.INT8, w: wu8, wt: DataType.UINT8, xz: 0, wz: 128 },
    { label: 'ORT ConvInteger x=u8 w=u8', x: xu8, xt: DataType.UINT8, w: wu8, wt: DataType.UINT8, xz: 128, wz: 128 },
  ];
  for (const v of variants) {
    const init = {
      w: { dtype: v.wt, dims: wd, data: v.w },
      xz: { dtype: v.xt, dims: [], data: v.xt === DataType.INT8 ? Int8Array.of(v.xz) : Uint8Array.of(v.xz) },
      wz: { dtype: v.wt, dims: [], data: v.wt === DataType.INT8 ? Int8Array.of(v.wz) : Uint8Array.of(v.wz) },
    };
    const model = buildSingleNodeModel({
      op: 'ConvInteger', opset: 10, inputs: [{ name: 'x', dtype: v.xt, dims: xd }], initializers: init,
      nodeInputs: ['x', 'w', 'xz', 'wz'], outputs: [{ name: 'y', dtype: DataType.INT32 }], attrs: { pads: params.pads, kernel_shape: [sh.k, sh.k] },
    });
    const feeds = { x: new ort.Tensor(v.xt === DataType.INT8 ? 'int8' : 'uint8', v.x, xd) };
    const t = await ortTimes(model, feeds, 1, REPS);
    const k = stats(t.kernel);
    const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    const out = (await sess.run(feeds)).y.data as Int32Array;
    await sess.release();
    let diff = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== golden![i]) diff++;
    console.log(`| ${sh.name} | ${v.label} kernel | ${fmt(k.min)} / ${fmt(k.med)} | ${fmt(gops(k.min))} | ${fmt(100 * k.min / g.min, 1)} % (outputs differing: ${diff}) |`);
  }
}
