/**
 * Differential fuzzing of semantics: seeded random chains of exact ops (data movement, broadcasting
 * arithmetic, reductions, pooling, Q/DQ) on random shapes, run by the interpreter and by
 * onnxruntime-node; outputs must be bit-identical and shape inference must predict every dim.
 */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { diffTensors } from '../../../src/sim/interp/compare.ts';
import { runOrt } from '../../../src/sim/interp/ort-bridge.ts';
import { mulberry32, randomTensor } from '../../../src/sim/interp/random-inputs.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { inferShapes } from '../../../src/sim/shape/infer-shapes.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';

const F = DataType.FLOAT;
const I64 = DataType.INT64;

function buildRandom(seed: number) {
  const rand = mulberry32(seed);
  const ri = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const b = new GraphBuilder('r');
  const feeds: Record<string, Tensor> = {};
  const rank = ri(1, 4);
  let dims = Array.from({ length: rank }, () => ri(1, 5));
  feeds.x = randomTensor(F, dims, rand, { floatRange: [-4, 4] });
  let cur = b.input('x', F, dims);
  const steps = ri(2, 7);
  const log: string[] = [];
  for (let s = 0; s < steps; s++) {
    const r = dims.length;
    const op = pick(['Transpose', 'Slice', 'Concat', 'Reshape', 'Add', 'Mul', 'Pad', 'Gather', 'Unsqueeze', 'Squeeze', 'ReduceMax', 'MaxPool', 'QDQ', 'Expand', 'Where', 'Split']);
    log.push(op);
    switch (op) {
      case 'Transpose': {
        const perm = [...dims.keys()].sort(() => rand() - 0.5);
        cur = b.op('Transpose', [cur], { perm });
        dims = perm.map((p) => dims[p]);
        break;
      }
      case 'Slice': {
        const a = ri(0, r - 1);
        const d = dims[a];
        const step = pick([1, 1, 2, -1, -2]);
        const start = ri(-d - 1, d + 1);
        const end = step > 0 ? ri(-d, d + 2) : ri(-d - 2, d);
        const t = b.op('Slice', [cur, b.constant([BigInt(start)], I64), b.constant([BigInt(end)], I64), b.constant([BigInt(a - (rand() < 0.5 ? r : 0))], I64), b.constant([BigInt(step)], I64)]);
        // keep only non-empty results (an empty tensor ends the chain's interest)
        const s0 = ((x: number) => (x < 0 ? x + d : x))(start), e0 = ((x: number) => (x < 0 ? x + d : x))(end);
        const lo = step > 0 ? Math.min(Math.max(s0, 0), d) : Math.min(Math.max(s0, 0), d - 1);
        const hi = step > 0 ? Math.min(Math.max(e0, 0), d) : Math.min(Math.max(e0, -1), d - 1);
        const len = Math.max(0, Math.ceil((hi - lo) / step));
        if (len === 0) { log.pop(); break; }
        cur = t;
        dims = dims.map((x, i) => (i === a ? len : x));
        break;
      }
      case 'Concat': {
        const a = ri(0, r - 1);
        const od = dims.map((x, i) => (i === a ? ri(1, 3) : x));
        const name = `c${s}`;
        feeds[name] = randomTensor(F, od, rand, { floatRange: [-4, 4] });
        cur = b.op('Concat', [cur, b.input(name, F, od)], { axis: a - (rand() < 0.5 ? r : 0) });
        dims = dims.map((x, i) => (i === a ? x + od[a] : x));
        break;
      }
      case 'Reshape': {
        const n = dims.reduce((p, q) => p * q, 1);
        const nd = rand() < 0.5 ? [n] : [1, n];
        cur = b.op('Reshape', [cur, b.constant(nd.length === 1 ? [-1n] : [1n, -1n], I64)]);
        dims = nd;
        break;
      }
      case 'Add': case 'Mul': {
        const od = dims.slice(ri(0, r)).map((x) => (rand() < 0.3 ? 1 : x));
        const name = `v${s}`;
        feeds[name] = randomTensor(F, od, rand, { floatRange: [-2, 2] });
        cur = b.op(op, [cur, b.input(name, F, od)]);
        break;
      }
      case 'Pad': {
        const pads = [...dims.map(() => ri(0, 2)), ...dims.map(() => ri(0, 2))];
        const mode = pick(['constant', 'reflect', 'edge']);
        if (mode === 'reflect' && dims.some((x, i) => pads[i] >= x || pads[i + r] >= x)) { log.pop(); break; }
        cur = b.op('Pad', [cur, b.constant(pads.map(BigInt), I64)], { mode });
        dims = dims.map((x, i) => x + pads[i] + pads[i + r]);
        break;
      }
      case 'Gather': {
        const a = ri(0, r - 1);
        const idx = Array.from({ length: ri(1, 3) }, () => ri(-dims[a], dims[a] - 1));
        cur = b.op('Gather', [cur, b.constant(idx.map(BigInt), I64)], { axis: a });
        dims = dims.map((x, i) => (i === a ? idx.length : x));
        break;
      }
      case 'Unsqueeze': {
        if (r >= 5) { log.pop(); break; }
        const a = ri(0, r);
        cur = b.op('Unsqueeze', [cur, b.constant([BigInt(a)], I64)]);
        dims = [...dims.slice(0, a), 1, ...dims.slice(a)];
        break;
      }
      case 'Squeeze': {
        const ones = dims.map((x, i) => (x === 1 ? i : -1)).filter((i) => i >= 0);
        if (ones.length === 0 || r === 1) { log.pop(); break; }
        cur = b.op('Squeeze', [cur, b.constant([BigInt(ones[0])], I64)]);
        dims = dims.filter((_, i) => i !== ones[0]);
        break;
      }
      case 'ReduceMax': {
        const a = ri(0, r - 1);
        const keep = r === 1 ? 1 : ri(0, 1);
        cur = b.op('ReduceMax', [cur], { axes: [a], keepdims: keep });
        dims = keep ? dims.map((x, i) => (i === a ? 1 : x)) : dims.filter((_, i) => i !== a);
        break;
      }
      case 'MaxPool': {
        if (r !== 4 || dims[2] < 2 || dims[3] < 2) { log.pop(); break; }
        cur = b.op('MaxPool', [cur], { kernel_shape: [2, 2], strides: [1, 2], pads: [0, 1, 1, 0] });
        dims = [dims[0], dims[1], Math.floor((dims[2] + 1 - 2) / 1) + 1, Math.floor((dims[3] + 1 - 2) / 2) + 1];
        break;
      }
      case 'QDQ': {
        cur = b.qdq(cur, pick([0.05, 0.1, 0.013]), ri(-3, 3));
        break;
      }
      case 'Expand': {
        const od = [ri(1, 2), ...dims];
        cur = b.op('Expand', [cur, b.constant(od.map(BigInt), I64)]);
        dims = od;
        break;
      }
      case 'Where': {
        cur = b.op('Where', [b.op('Greater', [cur, b.constant([0], F, [])]), cur, b.op('Neg', [cur])]);
        break;
      }
      case 'Split': {
        const a = ri(0, r - 1);
        if (dims[a] < 2) { log.pop(); break; }
        const first = ri(1, dims[a] - 1);
        const [p0] = b.node('Split', [cur, b.constant([BigInt(first), BigInt(dims[a] - first)], I64)], { axis: a }, { outputs: 2 });
        cur = p0;
        dims = dims.map((x, i) => (i === a ? first : x));
        break;
      }
    }
  }
  b.output(cur, F);
  return { model: b.model({ opset: 13 }), feeds, out: cur, dims, log };
}

/** Graph count (QDQSIM_RANDOM_GRAPHS overrides for a longer local run). */
const COUNT = Number(process.env.QDQSIM_RANDOM_GRAPHS ?? 200);

describe('random graphs of exact ops: interpreter vs onnxruntime-node', () => {
  it(`${COUNT} seeded graphs are bit-identical, shapes predicted`, { timeout: 300_000 }, async () => {
    const used: Record<string, number> = {};
    for (let seed = 1; seed <= COUNT; seed++) {
      const { model, feeds, out, dims, log } = buildRandom(seed);
      const what = `seed ${seed}: ${log.join(' -> ')}`;
      for (const op of log) used[op] = (used[op] ?? 0) + 1;
      const shapes = inferShapes(model);
      const ours = runModel(model, feeds).outputs[out];
      const ref = (await runOrt(model, feeds))[out];
      expect(ours.dims, what).toEqual(dims);
      expect(shapes.get(out)?.shape, what).toEqual(dims);
      const d = diffTensors(ours, ref);
      expect(d.mismatches, `${what}: ${JSON.stringify(d)}`).toBe(0);
    }
    console.log(`ops exercised: ${JSON.stringify(used)}`);
    expect(Object.keys(used).length).toBe(16);
  });
});
