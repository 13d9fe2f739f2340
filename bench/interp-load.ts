/**
 * Load + shape-infer + topologically sort a ResNet-50 (224x224, batch 1) and a 12-layer BERT-base
 * (seq 128) from .onnx files written by the zoo. Times are ms, min / median over --reps runs after
 * one warm-up, single process.
 *   npx tsx bench/interp-load.ts [--reps 5]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topoOrder } from '../src/sim/ir/graph-index.ts';
import { loadModel, saveModel } from '../src/sim/onnx/model-io.ts';
import { inferShapes } from '../src/sim/shape/infer-shapes.ts';
import { buildZooModel } from '../src/sim/zoo/index.ts';
import { stats } from './golden-bench-util.ts';

const arg = (k: string, d: number) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const REPS = arg('--reps', 5);
const dir = mkdtempSync(join(tmpdir(), 'qdqsim-bench-load-'));

const models = [
  { label: 'ResNet-50 v1 (pytorch style, 224, batch 1)', name: 'resnet50_v1', opts: {} },
  { label: 'BERT-base, 12 layers, seq 128 (with embeddings)', name: 'bert', opts: { layers: 12 } },
];

const f = (x: number) => x.toFixed(1);
console.log(`| model | file MB | nodes | load ms | shape-infer ms | topo-sort ms | total ms |`);
console.log(`|---|---|---|---|---|---|---|`);
try {
  for (const m of models) {
    const path = join(dir, `${m.name}.onnx`);
    saveModel(buildZooModel(m.name, m.opts), path);
    const load: number[] = [], shape: number[] = [], topo: number[] = [], total: number[] = [];
    let nodes = 0;
    for (let r = 0; r <= REPS; r++) {
      const t0 = performance.now();
      const model = loadModel(path);
      const t1 = performance.now();
      inferShapes(model);
      const t2 = performance.now();
      topoOrder(model.graph);
      const t3 = performance.now();
      nodes = model.graph.nodes.length;
      if (r === 0) continue; // warm-up
      load.push(t1 - t0); shape.push(t2 - t1); topo.push(t3 - t2); total.push(t3 - t0);
    }
    const s = (x: number[]) => { const v = stats(x); return `${f(v.min)} / ${f(v.med)}`; };
    console.log(`| ${m.label} | ${(statSync(path).size / 2 ** 20).toFixed(1)} | ${nodes} | ${s(load)} | ${s(shape)} | ${s(topo)} | ${s(total)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
