import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { GraphError } from '../../../src/sim/ir/graph-error.ts';
import { registeredOps } from '../../../src/sim/interp/registry.ts';
import '../../../src/sim/interp/run-model.ts';
import { inferShapes, inferShapesDetailed } from '../../../src/sim/shape/infer-shapes.ts';
import { shapeRuleOps } from '../../../src/sim/shape/rule.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';

const F = DataType.FLOAT;
const w = (dims: number[]) => makeTensor(F, dims);

describe('shape inference', () => {
  it('has a shape rule for every op the interpreter runs', () => {
    const rules = new Set(shapeRuleOps());
    expect(registeredOps().filter((op) => !rules.has(op))).toEqual([]);
  });

  it('propagates symbolic batch dims through conv, pool, gemm and broadcast', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F, ['N', 3, 32, 32]);
    const c = b.op('Conv', [x, b.initializer('w', w([8, 3, 3, 3]))], { strides: [2, 2], pads: [1, 1, 1, 1] });
    const p = b.op('MaxPool', [c], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    const g = b.op('GlobalAveragePool', [p]);
    const f = b.op('Flatten', [g]);
    const y = b.op('Gemm', [f, b.initializer('fc', w([10, 8])), b.initializer('fb', w([10]))], { transB: 1 });
    const s = b.op('Add', [y, b.input('bias', F, [1, 10])]);
    b.output(s);
    const m = b.model();
    const v = inferShapes(m);
    expect(v.get(c)?.shape).toEqual(['N', 8, 16, 16]);
    expect(v.get(p)?.shape).toEqual(['N', 8, 8, 8]);
    expect(v.get(f)?.shape).toEqual(['N', 8]);
    expect(v.get(y)?.shape).toEqual(['N', 10]);
    expect(v.get(s)?.shape).toEqual(['N', 10]);
    expect(m.graph.valueInfo.get(c)?.shape).toEqual(['N', 8, 16, 16]); // annotated
  });

  it('folds shape arithmetic so exporter-style dynamic reshapes get concrete dims', () => {
    // BERT-style: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), Unsqueeze(Gather(Shape(x), 1)), [12, 64]))
    const b = new GraphBuilder('g');
    const x = b.input('x', F, [2, 7, 768]);
    const shape = b.op('Shape', [x]);
    const d0 = b.op('Unsqueeze', [b.op('Gather', [shape, b.constant([0n], DataType.INT64, [])]), b.constant([0n], DataType.INT64)]);
    const d1 = b.op('Unsqueeze', [b.op('Gather', [shape, b.constant([1n], DataType.INT64, [])]), b.constant([0n], DataType.INT64)]);
    const target = b.op('Concat', [d0, d1, b.constant([12n, 64n], DataType.INT64)], { axis: 0 });
    const r = b.op('Reshape', [x, target]);
    const t = b.op('Transpose', [r], { perm: [0, 2, 1, 3] });
    b.output(t);
    const res = inferShapesDetailed(b.model());
    expect(res.values.get(r)?.shape).toEqual([2, 7, 12, 64]);
    expect(res.values.get(t)?.shape).toEqual([2, 12, 7, 64]);
    expect(Array.from(res.constants.get(target)!.data as BigInt64Array)).toEqual([2n, 7n, 12n, 64n]);
  });

  it('keeps dims unknown (not wrong) when a reshape target is computed from a symbolic dim', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F, ['B', 'S', 768]);
    const shape = b.op('Shape', [x]);
    const bs = b.op('Slice', [shape, b.constant([0n], DataType.INT64), b.constant([2n], DataType.INT64)]);
    const target = b.op('Concat', [bs, b.constant([12n, 64n], DataType.INT64)], { axis: 0 });
    const r = b.op('Reshape', [x, target]);
    b.output(r);
    expect(inferShapes(b.model()).get(r)?.shape).toEqual([null, null, null, null]);
  });

  it('infers dtypes: Q/DQ, Cast, Shape, comparisons, integer ops', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F, [4, 8]);
    const q = b.quantize(x, 0.1, 0, DataType.INT8);
    const dq = b.dequantize(q, 0.1, 0);
    const u = b.quantize(x, 0.1, 128, DataType.UINT8);
    const mmi = b.op('MatMulInteger', [u, b.initializer('wi', makeTensor(DataType.UINT8, [8, 3]))]);
    const cast = b.op('Cast', [x], { to: DataType.FLOAT16 });
    const eq = b.op('Equal', [x, x]);
    const [yq, ys, yz] = b.node('DynamicQuantizeLinear', [x], {}, { outputs: 3 });
    for (const o of [dq, mmi, cast, eq, yq, ys, yz]) b.output(o, b.dtypeOf(o) || F);
    const v = inferShapes(b.model());
    expect(v.get(q)?.dtype).toBe(DataType.INT8);
    expect(v.get(dq)?.dtype).toBe(F);
    expect(v.get(mmi)).toMatchObject({ dtype: DataType.INT32, shape: [4, 3] });
    expect(v.get(cast)?.dtype).toBe(DataType.FLOAT16);
    expect(v.get(eq)?.dtype).toBe(DataType.BOOL);
    expect(v.get(ys)).toMatchObject({ dtype: F, shape: [] });
  });

  it('reports dims that disagree, naming the node', () => {
    const cases: [string, (b: GraphBuilder, x: string) => string, RegExp][] = [
      ['broadcast', (b, x) => b.op('Add', [x, b.input('z', F, [1, 5])], {}, { name: 'add_1' }), /node 'add_1' \(Add\): shapes \[1,3,8,8\] and \[1,5\] cannot be broadcast \(dim 8 vs 5\)/],
      ['conv channels', (b, x) => b.op('Conv', [x, b.initializer('w', w([4, 2, 3, 3]))], {}, { name: 'c' }), /node 'c' \(Conv\): W has 2 input channels per group but X has C=3/],
      ['matmul', (b, x) => b.op('MatMul', [x, b.initializer('m', w([7, 2]))], {}, { name: 'mm' }), /node 'mm' \(MatMul\): MatMul inner dims disagree/],
      ['reshape', (b, x) => b.op('Reshape', [x, b.constant([5n, -1n], DataType.INT64)], {}, { name: 'r' }), /node 'r' \(Reshape\): cannot reshape \[1,3,8,8\] \(192 elements\) to \[5,-1\]/],
      ['concat', (b, x) => b.op('Concat', [x, b.input('z', F, [1, 3, 9, 8])], { axis: 1 }, { name: 'cat' }), /node 'cat' \(Concat\): input 1 has dims \[1,3,9,8\] which disagree/],
      ['missing required input', (b, x) => b.op('Conv', [x, null], {}, { name: 'c2' }), /node 'c2' \(Conv\): W is required but missing/],
      ['unknown op', (b, x) => b.op('FancyOp', [x], {}, { name: 'f', dtypes: [F] }), /node 'f' \(FancyOp\): unsupported op FancyOp/],
      ['gather index', (b, x) => b.op('Gather', [x, b.constant([3n], DataType.INT64)], { axis: 1 }, { name: 'gt' }), /node 'gt' \(Gather\): index 3 is out of range for axis 1 of size 3/],
    ];
    for (const [what, build, re] of cases) {
      const b = new GraphBuilder('g');
      const x = b.input('x', F, [1, 3, 8, 8]);
      const y = build(b, x);
      b.output(y, F);
      let err: unknown;
      try { inferShapes(b.model(), { file: 'm.onnx' }); } catch (e) { err = e; }
      expect(err, what).toBeInstanceOf(GraphError);
      expect((err as Error).message, what).toMatch(re);
      expect((err as Error).message, what).toMatch(/^m\.onnx: /);
    }
  });

  it('checks inferred shapes against declared outputs', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F, [2, 3]);
    b.output(b.op('Relu', [x], {}, { outputs: ['y'] }), F, [3, 2]);
    expect(() => inferShapes(b.model())).toThrow(/tensor 'y': is declared with dims \[3,2\] but inferred \[2,3\]/);
  });

  it('marks unknown ops unknown when asked instead of throwing', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F, [2]);
    const y = b.op('Relu', [b.op('Custom', [x], {}, { domain: 'my.domain', dtypes: [F] })]);
    b.output(y);
    const v = inferShapes(b.model(), { allowUnknownOps: true });
    expect(v.get(y)?.shape).toBeUndefined();
  });
});
