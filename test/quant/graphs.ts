/** Small hand-built graphs for the quantizer tests (plain Graph objects; deterministic weights). */
import { mulberry32 as rng } from '../../src/sim/random.ts';
import { DataType } from '../../src/sim/data-type.ts';
import type { Attribute, Graph, Model, Node } from '../../src/sim/ir/graph.ts';
import { makeTensor, type Tensor } from '../../src/sim/tensor.ts';


export class G {
  nodes: Node[] = [];
  inits = new Map<string, Tensor>();
  private n = 0;
  private r: () => number;
  constructor(seed = 1) { this.r = rng(seed); }
  weight(name: string, dims: number[], scale = 0.1): string {
    const size = dims.reduce((a, b) => a * b, 1);
    this.inits.set(name, makeTensor(DataType.FLOAT, dims, Float32Array.from({ length: size }, () => Math.fround((this.r() * 2 - 1) * scale))));
    return name;
  }
  node(opType: string, inputs: string[], attrs: Record<string, Attribute> = {}, name?: string): string {
    const nm = name ?? `${opType}_${this.n}`;
    this.n++;
    const out = `${nm}_out`;
    this.nodes.push({ name: nm, opType, domain: '', inputs, outputs: [out], attrs });
    return out;
  }
  conv(x: string, cin: number, cout: number, k = 3, name?: string, extra: Record<string, Attribute> = {}): string {
    const id = name ?? `conv${this.n}`;
    const w = this.weight(`${id}.weight`, [cout, cin, k, k]);
    const b = this.weight(`${id}.bias`, [cout]);
    const p = (k - 1) >> 1;
    return this.node('Conv', [x, w, b], { kernel_shape: { type: 'ints', value: [k, k] }, pads: { type: 'ints', value: [p, p, p, p] }, ...extra }, name);
  }
  model(inputs: { name: string; shape: number[] }[], outputs: string[], opset = 13): Model {
    const graph: Graph = {
      name: 'g',
      nodes: this.nodes,
      inputs: inputs.map((i) => ({ name: i.name, dtype: DataType.FLOAT, shape: i.shape })),
      outputs: outputs.map((o) => ({ name: o, dtype: DataType.FLOAT })),
      initializers: this.inits,
      valueInfo: new Map(),
    };
    return { irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: 'test', graph };
  }
}

/**
 * A pytorch-exporter style ResNet stem + one identity block + one downsample block + head, BN folded.
 * Conv → Relu → MaxPool → block(identity) → block(downsample) → GlobalAveragePool → Flatten → Gemm.
 */
export function tinyResnet(): Model {
  const g = new G(7);
  let x = g.conv('input', 3, 8, 3, 'Conv_0');
  x = g.node('Relu', [x], {}, 'Relu_1');
  x = g.node('MaxPool', [x], { kernel_shape: { type: 'ints', value: [2, 2] }, strides: { type: 'ints', value: [2, 2] } }, 'MaxPool_2');
  // identity block
  let y = g.conv(x, 8, 8, 3, 'Conv_3');
  y = g.node('Relu', [y], {}, 'Relu_4');
  y = g.conv(y, 8, 8, 3, 'Conv_5');
  let s = g.node('Add', [y, x], {}, 'Add_6');
  s = g.node('Relu', [s], {}, 'Relu_7');
  // downsample block
  let z = g.conv(s, 8, 16, 3, 'Conv_8', { strides: { type: 'ints', value: [2, 2] } });
  z = g.node('Relu', [z], {}, 'Relu_9');
  z = g.conv(z, 16, 16, 3, 'Conv_10');
  const d = g.conv(s, 8, 16, 1, 'Conv_11', { strides: { type: 'ints', value: [2, 2] } });
  let t = g.node('Add', [z, d], {}, 'Add_12');
  t = g.node('Relu', [t], {}, 'Relu_13');
  t = g.node('GlobalAveragePool', [t], {}, 'GlobalAveragePool_14');
  t = g.node('Flatten', [t], { axis: { type: 'int', value: 1 } }, 'Flatten_15');
  const fw = g.weight('fc.weight', [10, 16]);
  const fb = g.weight('fc.bias', [10]);
  const out = g.node('Gemm', [t, fw, fb], { transB: { type: 'int', value: 1 } }, 'Gemm_16');
  return g.model([{ name: 'input', shape: [1, 3, 16, 16] }], [out]);
}
