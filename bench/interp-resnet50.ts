/**
 * Interpreter vs onnxruntime-node on float ResNet-50 v1 (224x224, batch 1): wall time of one inference,
 * min / median over --reps runs after one warm-up. The interpreter is single-threaded JS; ORT runs on the
 * CPU EP with 1 intra-op thread, once with its graph optimisations ('all': Conv+Relu fusion, NCHWc
 * layouts) and once without ('disabled': the same graph the interpreter runs). Also prints the
 * interpreter's time per op type and the agreement of the outputs.
 *   npx tsx bench/interp-resnet50.ts [--reps 3] [--size 224]
 */
import { diffTensors } from '../src/sim/interp/compare.ts';
import { ortSession, fromOrtTensor, toOrtTensor } from '../src/sim/interp/ort-bridge.ts';
import { randomFeeds } from '../src/sim/interp/random-inputs.ts';
import { runModel } from '../src/sim/interp/run-model.ts';
import { encodeModel } from '../src/sim/onnx/model-io.ts';
import { buildZooModel } from '../src/sim/zoo/index.ts';
import { stats } from './golden-bench-util.ts';

const arg = (k: string, d: number) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const REPS = arg('--reps', 3);
const SIZE = arg('--size', 224);

const model = buildZooModel('resnet50_v1', { size: SIZE });
const feeds = randomFeeds(model, { seed: 1 });
const f = (x: number) => x.toFixed(0);

const ours: number[] = [];
let byOp: Record<string, number> = {};
let out = runModel(model, feeds).outputs; // warm-up
for (let r = 0; r < REPS; r++) {
  const per: Record<string, number> = {};
  const t0 = performance.now();
  out = runModel(model, feeds, { onNode: (n, _o, ms) => { per[n.opType] = (per[n.opType] ?? 0) + ms; } }).outputs;
  ours.push(performance.now() - t0);
  if (r === 0) byOp = per;
}

const bytes = encodeModel(model);
const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrtTensor(v)]));
const ort: Record<string, number[]> = {};
let agreement = '';
for (const level of ['all', 'disabled'] as const) {
  const sess = await ortSession(bytes, { optimization: level, intraOpNumThreads: 1 });
  let res = await sess.run(ortFeeds); // warm-up
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    res = await sess.run(ortFeeds);
    times.push(performance.now() - t0);
  }
  ort[level] = times;
  if (level === 'disabled') {
    const [k] = Object.keys(res);
    const d = diffTensors(out[k], fromOrtTensor(res[k]));
    agreement = `max|Δ|/scale ${d.maxAbsOverScale.toExponential(2)}, max rel ${d.maxRel.toExponential(2)}, max ULP ${d.maxUlp}`;
  }
  await sess.release();
}

const o = stats(ours), a = stats(ort.all), d = stats(ort.disabled);
console.log(`ResNet-50 v1 ${SIZE}x${SIZE} batch 1, ${model.graph.nodes.length} nodes, ${REPS} reps`);
console.log(`| engine | min ms | median ms | ratio interp / engine (median) |`);
console.log(`|---|---|---|---|`);
console.log(`| qdqsim interpreter (JS, 1 thread) | ${f(o.min)} | ${f(o.med)} | 1 |`);
console.log(`| onnxruntime-node 1.30 CPU, 1 thread, opt all | ${f(a.min)} | ${f(a.med)} | ${(o.med / a.med).toFixed(1)} |`);
console.log(`| onnxruntime-node 1.30 CPU, 1 thread, opt disabled | ${f(d.min)} | ${f(d.med)} | ${(o.med / d.med).toFixed(1)} |`);
console.log(`interpreter time by op (first timed run, ms): ${Object.entries(byOp).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${f(v)}`).join(', ')}`);
console.log(`output agreement with ORT (opt disabled): ${agreement}`);
