import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Graph, Node } from '../../../src/sim/ir/graph.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';
import { compareTensor, DEFAULT_COMPARE_OPTIONS, unravel } from '../../../src/trt/validation/metrics/compare-tensors.ts';
import { quantStepFor } from '../../../src/trt/validation/metrics/quant-step.ts';

const node = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({ name, opType, domain: '', inputs, outputs, attrs: {} });
const scalar = (v: number) => makeTensor(DataType.FLOAT, [], new Float32Array([v]));

/** x -> Q(0.5) -> DQ -> Conv -> Relu -> y_float ; Relu -> Q(0.25) -> q_out ; q_out -> DQ -> dq_out */
function graph(): Graph {
  const init = new Map([
    ['s_in', scalar(0.5)], ['zp', makeTensor(DataType.INT8, [], new Int8Array([0]))], ['s_out', scalar(0.25)],
    ['w', makeTensor(DataType.FLOAT, [1, 1, 1, 1], new Float32Array([1]))],
  ]);
  return {
    name: 'g',
    nodes: [
      node('q_in', 'QuantizeLinear', ['x', 's_in', 'zp'], ['xq']),
      node('dq_in', 'DequantizeLinear', ['xq', 's_in', 'zp'], ['xd']),
      node('conv', 'Conv', ['xd', 'w'], ['c']),
      node('relu', 'Relu', ['c'], ['y_float']),
      node('q_out', 'QuantizeLinear', ['y_float', 's_out', 'zp'], ['q_out']),
      node('dq_out', 'DequantizeLinear', ['q_out', 's_out', 'zp'], ['dq_out']),
    ],
    inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: [1, 1, 2, 2] }],
    outputs: [{ name: 'y_float', dtype: DataType.FLOAT }, { name: 'q_out', dtype: DataType.INT8 }, { name: 'dq_out', dtype: DataType.FLOAT }],
    initializers: init,
    valueInfo: new Map(),
  };
}

describe('quantization step from the graph', () => {
  const g = graph();
  it('Q output: integer codes', () => {
    expect(quantStepFor(g, 'q_out')).toMatchObject({ step: 1, unit: 'code', scale: 0.25, node: 'q_out', via: 'Q output' });
  });
  it('DQ output: its scale', () => {
    expect(quantStepFor(g, 'dq_out')).toMatchObject({ step: 0.25, unit: 'value', node: 'dq_out', via: 'DQ output' });
  });
  it('a tensor that feeds a Q: that Q\'s scale', () => {
    expect(quantStepFor(g, 'y_float')).toMatchObject({ step: 0.25, node: 'q_out', via: 'feeds Q' });
  });
  it('otherwise the nearest Q upstream', () => {
    expect(quantStepFor(g, 'c')).toMatchObject({ step: 0.5, node: 'q_in', via: 'upstream Q (2 ops up)' });
  });
  it('none for a graph input with no Q around', () => {
    expect(quantStepFor(g, 'x')).toMatchObject({ node: 'q_in', via: 'feeds Q' });
    const bare: Graph = { ...g, nodes: [node('relu', 'Relu', ['x'], ['y'])] };
    expect(quantStepFor(bare, 'y')).toBeNull();
  });
});

describe('tensor comparison in LSB', () => {
  const step = { step: 0.25, unit: 'value' as const, scale: 0.25, node: 'q', via: 'DQ output' };
  it('reports max/mean LSB, histogram, fraction within tolerance and the worst elements', () => {
    const ref = new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25]);
    const act = new Float32Array([0, 0.5, 0.5, 0.75, 0.5, 1.25]); // +1 LSB at 1, -2 LSB at 4
    const c = compareTensor('t', [2, 3], ref, act, step, DEFAULT_COMPARE_OPTIONS);
    expect(c.maxLsb).toBe(2);
    expect(c.meanLsb).toBeCloseTo(0.5);
    expect(c.withinTol).toBeCloseTo(5 / 6);
    expect(c.pass).toBe(false);
    const h = c.histogram!;
    expect(h.counts[h.halfWidth]).toBe(4);
    expect(h.counts[h.halfWidth + 1]).toBe(1);
    expect(h.counts[h.halfWidth - 2]).toBe(1);
    expect(c.worst[0]).toMatchObject({ index: [1, 1], flat: 4, reference: 1, actual: 0.5, lsb: 2 });
    expect(c.worst[1]).toMatchObject({ index: [0, 1], lsb: 1 });
    expect(c.summary).toMatch(/^FAILED \| 't': max 2 LSB, mean 0.5 LSB, 83.33% within 1 LSB \(step 0.25 from DQ output 'q'\)/);
    expect(compareTensor('t', [6], ref, act, step, { ...DEFAULT_COMPARE_OPTIONS, tolLsb: 2 }).pass).toBe(true);
  });

  it('tolerates the 6-digit rounding of text recordings but not one LSB', () => {
    const ref = new Float32Array([31.75]);
    expect(compareTensor('t', [1], ref, new Float32Array([31.7500]), step, { ...DEFAULT_COMPARE_OPTIONS, tolLsb: 0 }).pass).toBe(true);
    expect(compareTensor('t', [1], ref, new Float32Array([31.7501]), step, { ...DEFAULT_COMPARE_OPTIONS, tolLsb: 0 }).pass).toBe(true);
    expect(compareTensor('t', [1], ref, new Float32Array([32]), step, { ...DEFAULT_COMPARE_OPTIONS, tolLsb: 0 }).pass).toBe(false);
  });

  it('float tensors: Polygraphy\'s rule (fail only beyond both atol and rtol), cosine, NaN mismatches', () => {
    const ref = new Float32Array([1, 100, 0]);
    const ok = compareTensor('f', [3], ref, new Float32Array([1.000001, 100.0001, 0]), null, { tolLsb: 1, atol: 1e-5, rtol: 1e-5 });
    expect(ok.pass).toBe(true);
    expect(ok.cosine).toBeCloseTo(1, 9);
    expect(ok.maxLsb).toBeNull();
    const bad = compareTensor('f', [3], ref, new Float32Array([1, 100, NaN]), null, DEFAULT_COMPARE_OPTIONS);
    expect(bad.nanMismatch).toBe(1);
    expect(bad.pass).toBe(false);
    expect(bad.summary).toMatch(/1 NaN\/Inf mismatch/);
  });

  it('unravels flat indices row-major', () => {
    expect(unravel(0, [2, 3, 4])).toEqual([0, 0, 0]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravel(5, [2, 3, 4])).toEqual([0, 1, 1]);
  });
});
