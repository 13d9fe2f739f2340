/** Bad input to the interpreter: every failure is a GraphError naming the node and/or tensor, never a crash. */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { GraphError } from '../../../src/sim/ir/graph-error.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { makeTensor, type Tensor } from '../../../src/sim/tensor.ts';

const F = DataType.FLOAT;
const x4 = () => makeTensor(F, [1, 2, 4, 4]);

function expectGraphError(fn: () => unknown, re: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(GraphError);
  expect((err as Error).message).toMatch(re);
}

function model(build: (b: GraphBuilder, x: string) => string, opset = 13) {
  const b = new GraphBuilder('g');
  const x = b.input('x', F, [1, 2, 4, 4]);
  b.output(build(b, x), F);
  return b.model({ opset });
}

describe('interpreter errors', () => {
  it('unknown op', () => {
    const m = model((b, x) => b.op('NoSuchOp', [x], {}, { name: 'n1', dtypes: [F] }));
    expectGraphError(() => runModel(m, { x: x4() }), /node 'n1' \(NoSuchOp\): unsupported op NoSuchOp/);
  });

  it('missing, unknown and mistyped feeds', () => {
    const m = model((b, x) => b.op('Relu', [x]));
    expectGraphError(() => runModel(m, {}), /tensor 'x': graph input is not fed/);
    expectGraphError(() => runModel(m, { x: x4(), y: x4() }), /tensor 'y': is fed but the graph has no input of that name \(inputs: x\)/);
    expectGraphError(() => runModel(m, { x: makeTensor(DataType.INT8, [1, 2, 4, 4]) }), /tensor 'x': feed has dtype INT8 but the graph input is FLOAT/);
    expectGraphError(() => runModel(m, { x: makeTensor(F, [1, 2, 4, 5]) }), /tensor 'x': feed has dims \[1,2,4,5\] but the graph input is declared \[1,2,4,4\]/);
    const lying: Tensor = { dtype: F, dims: [1, 2, 4, 4], data: new Float32Array(3) };
    expectGraphError(() => runModel(m, { x: lying }), /tensor 'x': feed has 3 elements but dims \[1,2,4,4\] need 32/);
  });

  it('dims that disagree at run time name the node', () => {
    const m = model((b, x) => b.op('Mul', [x, b.initializer('k', makeTensor(F, [3]))], {}, { name: 'scale' }));
    expectGraphError(() => runModel(m, { x: x4() }), /node 'scale' \(Mul\): shapes \[1,2,4,4\] and \[3\] cannot be broadcast/);
    const c = model((b, x) => b.op('Conv', [x, b.initializer('w', makeTensor(F, [3, 5, 1, 1]))], {}, { name: 'conv' }));
    expectGraphError(() => runModel(c, { x: x4() }), /node 'conv' \(Conv\): W has 5 input channels per group but X has C=2/);
  });

  it('a missing required input names the node', () => {
    const m = model((b, x) => b.op('Gemm', [b.op('Flatten', [x]), null], {}, { name: 'fc' }));
    expectGraphError(() => runModel(m, { x: x4() }), /node 'fc' \(Gemm\): input 1 is required but missing/);
  });

  it('cycles and dangling edges', () => {
    const m = model((b, x) => b.op('Relu', [x]));
    m.graph.nodes[0].inputs = ['ghost'];
    expectGraphError(() => runModel(m, { x: x4() }), /node 'Relu_0' \(Relu\): tensor 'ghost': input 0 'ghost' is not produced/);
    const c = model((b, x) => b.op('Add', [x, x], {}, { name: 'A' }));
    c.graph.nodes[0].inputs = ['x', c.graph.nodes[0].outputs[0]];
    expectGraphError(() => runModel(c, { x: x4() }), /cycle: 'A' \(Add\) -> 'A'/);
  });

  it('tensors too large for memory are refused, naming the node', () => {
    const m = model((b) => b.op('ConstantOfShape', [b.constant([100000n, 100000n, 100000n], DataType.INT64)], {}, { name: 'huge' }));
    expectGraphError(() => runModel(m, { x: x4() }), /node 'huge' \(ConstantOfShape\): a tensor of 1000000000000000 elements exceeds the interpreter's limit/);
    const big = model((b, x) => b.op('ReduceMax', [b.op('Add', [b.input('u', F, [65536, 1]), b.input('v', F, [1, 65536])], {}, { name: 'outer' }), x]));
    expectGraphError(() => runModel(big, { x: x4(), u: makeTensor(F, [65536, 1]), v: makeTensor(F, [1, 65536]) }), /node 'outer' \(Add\): a tensor of 4294967296 elements exceeds/);
    const range = model((b) => b.op('Range', [b.constant([0], F, []), b.constant([1e12], F, []), b.constant([1], F, [])], {}, { name: 'rg' }));
    expectGraphError(() => runModel(range, { x: x4() }), /node 'rg' \(Range\): a tensor of 999999995904 elements exceeds/);
    const e = model((b, x) => b.op('Expand', [x, b.constant([65536n, 65536n, 1n, 1n], DataType.INT64)], {}, { name: 'ex' }));
    expectGraphError(() => runModel(e, { x: x4() }), /node 'ex' \(Expand\): shapes .* cannot be broadcast|node 'ex' \(Expand\): .*exceeds/);
  });

  it('bad attributes name the node', () => {
    const m = model((b, x) => b.op('Transpose', [x], { perm: [0, 1, 1, 3] }, { name: 't' }));
    expectGraphError(() => runModel(m, { x: x4() }), /node 't' \(Transpose\): perm \[0,1,1,3\] is not a permutation of 4 axes/);
    const r = model((b, x) => b.op('Resize', [x, '', b.constant([1, 1, 2, 2], F)], { mode: 'cubic' }, { name: 'rs' }));
    expectGraphError(() => runModel(r, { x: x4() }), /node 'rs' \(Resize\): Resize mode 'cubic' is not supported/);
    const g = model((b, x) => b.op('Gather', [x, b.constant([7n], DataType.INT64)], { axis: 2 }, { name: 'g' }));
    expectGraphError(() => runModel(g, { x: x4() }), /node 'g' \(Gather\): index 7 is out of range for axis 2 of size 4/);
  });

  it('capture of an unknown value is refused', () => {
    const m = model((b, x) => b.op('Relu', [x]));
    expectGraphError(() => runModel(m, { x: x4() }, { capture: ['nope'] }), /tensor 'nope': is asked to be captured/);
  });

  it('captures intermediates, inputs and initializers on request', () => {
    const m = model((b, x) => b.op('Relu', [b.op('Neg', [x], {}, { outputs: ['neg'] })]));
    const r = runModel(m, { x: x4() }, { capture: ['neg', 'x'] });
    expect(Object.keys(r.captured).sort()).toEqual(['neg', 'x']);
    const all = runModel(m, { x: x4() }, { capture: 'all' });
    expect(Object.keys(all.captured).length).toBe(3);
  });
});
