/**
 * Calibration sets from disk: a .npz (one array per model input, samples stacked on axis 0), a folder of
 * such .npz files, a folder with `<input>.npy` per input, or — for a single-input model — a folder of .npy
 * files. Stacks are split into batches of the model's batch dimension (or `batchSize` when it is symbolic).
 * Errors name the file and the input.
 */
import { fileSafeName } from '../../sim/io/file-safe-name.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { dataTypeName } from '../../sim/data-type.ts';
import type { Model, ValueInfo } from '../../sim/ir/graph.ts';
import { readNpy } from '../../sim/io/npy.ts';
import { readNpz } from '../../sim/io/npz.ts';
import { makeTensor, type Tensor, type TensorData } from '../../sim/tensor.ts';
import { QuantError } from '../quant-error.ts';
import type { Feeds } from './calibrate.ts';


function splitStack(vi: ValueInfo, t: Tensor, file: string, batchSize: number | undefined): Tensor[] {
  if (t.dtype !== vi.dtype) throw new QuantError(`${file}: array for input "${vi.name}" is ${dataTypeName(t.dtype)}, the model input is ${dataTypeName(vi.dtype)}`);
  const shape = vi.shape;
  if (!shape) return [t];
  if (t.dims.length !== shape.length) {
    throw new QuantError(`${file}: array for input "${vi.name}" has dims [${t.dims.join(',')}], the model input has rank ${shape.length} ([${shape.join(',')}])`);
  }
  for (let d = 1; d < shape.length; d++) {
    if (typeof shape[d] === 'number' && shape[d] !== t.dims[d]) {
      throw new QuantError(`${file}: array for input "${vi.name}" has dims [${t.dims.join(',')}], the model input is [${shape.join(',')}] (dim ${d} differs)`);
    }
  }
  const n = t.dims[0];
  if (n === 0) throw new QuantError(`${file}: array for input "${vi.name}" has no samples (dim 0 is 0)`);
  const b = typeof shape[0] === 'number' ? shape[0] : (batchSize ?? n);
  if (n % b !== 0) throw new QuantError(`${file}: input "${vi.name}" has ${n} samples, not a multiple of the batch size ${b}`);
  const per = t.data.length / n * b;
  const out: Tensor[] = [];
  for (let k = 0; k < n / b; k++) {
    const data = (t.data as Exclude<TensorData, string[]>).slice(k * per, (k + 1) * per) as TensorData;
    out.push(makeTensor(t.dtype, [b, ...t.dims.slice(1)], data));
  }
  return out;
}

function batchesFromArrays(model: Model, arrays: Record<string, Tensor>, file: string, batchSize?: number): Feeds[] {
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  const names = new Set(inputs.map((v) => v.name));
  for (const k of Object.keys(arrays)) {
    if (!names.has(k)) throw new QuantError(`${file}: array "${k}" is not a model input (inputs: ${[...names].join(', ')})`);
  }
  const split = inputs.map((vi) => {
    const t = arrays[vi.name];
    if (!t) throw new QuantError(`${file}: no array for model input "${vi.name}"`);
    return splitStack(vi, t, file, batchSize);
  });
  const count = split[0]?.length ?? 0;
  split.forEach((s, i) => {
    if (s.length !== count) throw new QuantError(`${file}: input "${inputs[i].name}" gives ${s.length} batches, input "${inputs[0].name}" ${count}`);
  });
  return Array.from({ length: count }, (_, k) => Object.fromEntries(inputs.map((vi, i) => [vi.name, split[i][k]])));
}

export function loadCalibrationData(model: Model, path: string, opts: { batchSize?: number } = {}): Feeds[] {
  if (!existsSync(path)) throw new QuantError(`calibration data ${path} does not exist`);
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  let batches: Feeds[] = [];
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path).sort();
    const npz = files.filter((f) => extname(f) === '.npz');
    const npy = files.filter((f) => extname(f) === '.npy');
    if (npz.length) {
      for (const f of npz) batches.push(...batchesFromArrays(model, readNpz(join(path, f)), join(path, f), opts.batchSize));
    } else if (npy.length) {
      const byInput = new Map(inputs.map((vi) => [`${fileSafeName(vi.name)}.npy`, vi]));
      if (npy.every((f) => byInput.has(f)) && npy.length === inputs.length) {
        const arrays = Object.fromEntries(npy.map((f) => [byInput.get(f)!.name, readNpy(join(path, f))]));
        batches = batchesFromArrays(model, arrays, path, opts.batchSize);
      } else if (inputs.length === 1) {
        for (const f of npy) batches.push(...batchesFromArrays(model, { [inputs[0].name]: readNpy(join(path, f)) }, join(path, f), opts.batchSize));
      } else {
        throw new QuantError(`${path}: a multi-input model needs one <input>.npy per input (${inputs.map((v) => `${fileSafeName(v.name)}.npy`).join(', ')}) or .npz files; found ${npy.join(', ')}`);
      }
    } else {
      throw new QuantError(`${path}: no .npz or .npy files`);
    }
  } else if (extname(path) === '.npz') {
    batches = batchesFromArrays(model, readNpz(path), path, opts.batchSize);
  } else if (extname(path) === '.npy') {
    if (inputs.length !== 1) throw new QuantError(`${path}: a single .npy only feeds a single-input model; this one has ${inputs.length} inputs`);
    batches = batchesFromArrays(model, { [inputs[0].name]: readNpy(path) }, path, opts.batchSize);
  } else {
    throw new QuantError(`${basename(path)}: calibration data must be a .npz, a .npy or a folder of them`);
  }
  if (!batches.length) throw new QuantError(`calibration data ${path} is empty`);
  return batches;
}
