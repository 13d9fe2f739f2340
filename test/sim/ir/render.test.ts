import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { renderGraph, renderNode, renderValue } from '../../../src/sim/ir/render.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';

function qdqConv() {
  const b = new GraphBuilder('qconv');
  const x = b.input('x', DataType.FLOAT, [1, 2, 4, 4]);
  const w = b.initializer('w', makeTensor(DataType.INT8, [3, 2, 1, 1]));
  const xq = b.dequantize(b.quantize(x, 0.1, 0), 0.1, 0);
  const wq = b.dequantize(w, [0.1, 0.2, 0.3], 0, 0);
  const y = b.quantize(b.op('Conv', [xq, wq, b.constant([0, 0, 0])]), 0.2, 0);
  b.output(y);
  return { g: b.build(), y };
}

describe('render', () => {
  it('renders the issue example Q(Conv(DQ(x),DQ(w))) with Q/DQ parameters hidden', () => {
    const { g, y } = qdqConv();
    expect(renderValue(g, y)).toBe('Q(Conv(DQ(Q(x)),DQ(w),const_6))');
    expect(renderValue(g, y, { qparams: true, fullOpNames: true }))
      .toBe('QuantizeLinear(Conv(DequantizeLinear(QuantizeLinear(x,const_0,const_1),const_2,const_3),DequantizeLinear(w,const_4,const_5),const_6),const_7,const_8)');
    expect(renderValue(g, y, { nodeNames: true })).toBe('QuantizeLinear_4:Q(Conv_3:Conv(DequantizeLinear_1:DQ(QuantizeLinear_0:Q(x)),DequantizeLinear_2:DQ(w),const_6))');
  });

  it('shares residual branches in renderGraph and marks omitted optional inputs', () => {
    const b = new GraphBuilder('res');
    const x = b.input('x', DataType.FLOAT, [1, 4]);
    const r = b.op('Relu', [x]);
    const y = b.op('Add', [b.op('Sigmoid', [r]), r]);
    const c = b.op('Clip', [y, '', b.constant(6)]);
    b.output(c);
    const g = b.build();
    expect(renderGraph(g)).toBe('%Relu_0_out0 = Relu(x)\nClip_3_out0 = Clip(Add(Sigmoid(%Relu_0_out0),%Relu_0_out0),_,const_0)');
    expect(renderValue(g, c)).toBe('Clip(Add(Sigmoid(Relu(x)),Relu(x)),_,const_0)');
    const split = new GraphBuilder('split');
    const [a, bb] = split.node('Split', [split.input('x', DataType.FLOAT, [4])], {}, { outputs: 2 });
    split.output(split.op('Add', [a, bb]));
    expect(renderValue(split.build(), 'Add_1_out0')).toBe('Add(Split(x)[0],Split(x)[1])');
  });

  it('reports cycles instead of recursing forever', () => {
    const b = new GraphBuilder('cyc', { strict: false });
    b.op('Relu', ['b'], {}, { outputs: ['a'] });
    b.op('Relu', ['a'], {}, { outputs: ['b'] });
    expect(renderValue(b.build(), 'a')).toBe('Relu(Relu(<cycle:a>))');
  });

  it('renders one node per line with attributes', () => {
    const { g } = qdqConv();
    expect(renderNode(g.nodes[2])).toBe('DequantizeLinear_2: DequantizeLinear(w, const_4, const_5) -> DequantizeLinear_2_out0 {axis=0}');
  });
});
