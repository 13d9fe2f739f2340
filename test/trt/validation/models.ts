/** Small Q/DQ models for the validation tests, built with the GraphBuilder and saved to a temp dir. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import type { Model } from '../../../src/sim/ir/graph.ts';
import { saveModel } from '../../../src/sim/onnx/model-io.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';

/** Deterministic pseudo-random values in [-1, 1). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround(s / 2 ** 31 - 1);
  }
  return out;
}

export interface QdqConvOptions {
  /** Scale of the output Q (default 0.05). */
  outScale?: number;
  /** Multiply one weight by this factor (a planted corruption). */
  corruptWeight?: number;
  cin?: number;
  cout?: number;
  hw?: number;
  /** Also expose the int8 tensor 'q1' as a graph output (default true); false lets TensorRT fuse that Q into the conv. */
  exposeQ1?: boolean;
}

/**
 * x[1,C,H,W] -> Q/DQ(1/64) -> Conv3x3(pad 1, Q/DQ per-channel weights, float bias) -> Relu
 *   -> Q(outScale, default 0.08) -> DQ -> Conv1x1 (Q/DQ weights) -> 'y' (float), and the int8 tensor 'q1' as a second output.
 */
export function qdqConvModel(opts: QdqConvOptions = {}): Model {
  const cin = opts.cin ?? 4, cout = opts.cout ?? 8, hw = opts.hw ?? 6;
  const b = new GraphBuilder('qdq_conv');
  const x = b.input('x', DataType.FLOAT, [1, cin, hw, hw]);
  const xd = b.qdq(x, 1 / 64);
  const w1 = values(cout * cin * 9, 11);
  if (opts.corruptWeight !== undefined) w1[5] *= opts.corruptWeight;
  const ws1 = Array.from({ length: cout }, (_, k) => Math.fround(0.01 + 0.001 * k));
  const w1d = b.qdq(b.initializer('w1', makeTensor(DataType.FLOAT, [cout, cin, 3, 3], w1)), ws1, 0, DataType.INT8, 0);
  const bias = b.initializer('b1', makeTensor(DataType.FLOAT, [cout], values(cout, 5).map((v) => v * 0.1)));
  const c1 = b.op('Conv', [xd, w1d, bias], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
  const r1 = b.op('Relu', [c1]);
  const q1 = b.op('QuantizeLinear', [r1, b.constant([opts.outScale ?? 0.05], DataType.FLOAT, []), b.constant([0], DataType.INT8, [])], {}, { outputs: ['q1'] });
  const d1 = b.op('DequantizeLinear', [q1, b.constant([opts.outScale ?? 0.05], DataType.FLOAT, []), b.constant([0], DataType.INT8, [])]);
  const w2 = b.qdq(b.initializer('w2', makeTensor(DataType.FLOAT, [2, cout, 1, 1], values(2 * cout, 3))), [0.008, 0.009], 0, DataType.INT8, 0);
  b.op('Conv', [d1, w2], {}, { outputs: ['y'] });
  b.output('y', DataType.FLOAT, [1, 2, hw, hw]);
  if (opts.exposeQ1 ?? true) b.output('q1', DataType.INT8, [1, cout, hw, hw]);
  return b.model({ opset: 13 });
}

export function saveTemp(model: Model, name = 'model.onnx'): string {
  const dir = mkdtempSync(join(tmpdir(), 'qdqsim-val-'));
  const p = join(dir, name);
  saveModel(model, p);
  return p;
}
