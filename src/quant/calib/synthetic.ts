/**
 * Seeded synthetic calibration data (standard normal, float32) for when no calibration set is given.
 * Scales computed from it say nothing about real data; the CLI reports that loudly.
 */
import { mulberry32 } from '../../sim/random.ts';
import { DataType, dataTypeName } from '../../sim/data-type.ts';
import type { Model } from '../../sim/ir/graph.ts';
import { makeTensor } from '../../sim/tensor.ts';
import { QuantError } from '../quant-error.ts';
import type { Feeds } from './calibrate.ts';


export function syntheticBatches(model: Model, count: number, seed = 0): Feeds[] {
  const rnd = mulberry32(seed);
  const normal = () => {
    const u = 1 - rnd(), v = rnd();
    return Math.fround(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  const out: Feeds[] = [];
  for (let b = 0; b < count; b++) {
    const feeds: Feeds = {};
    for (const vi of inputs) {
      if (vi.dtype !== DataType.FLOAT) throw new QuantError(`synthetic data: input "${vi.name}" is ${dataTypeName(vi.dtype)}; only FLOAT inputs can be synthesised — give --data`);
      if (!vi.shape) throw new QuantError(`synthetic data: input "${vi.name}" has no shape; give --data`);
      const dims = vi.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      const n = dims.reduce((a, c) => a * c, 1);
      feeds[vi.name] = makeTensor(DataType.FLOAT, dims, Float32Array.from({ length: n }, normal));
    }
    out.push(feeds);
  }
  return out;
}
