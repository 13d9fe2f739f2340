/**
 * Feeds for `qdqsim compare`: `--input name=FILE` (.npy, a raw .bin in the input's dtype/shape as
 * trtexec --loadInputs reads it, or a Polygraphy --save-inputs .json), the inputs kept in an
 * artifacts folder, or seeded uniform random values.
 */
import { readFileSync } from 'node:fs';
import { dataTypeName } from '../../sim/data-type.ts';
import type { Model, ValueInfo } from '../../sim/ir/graph.ts';
import { readNpy } from '../../sim/io/npy.ts';
import { mulberry32, randomTensor } from '../../sim/interp/random-inputs.ts';
import type { Tensor } from '../../sim/tensor.ts';
import { readRawTensor } from './backends/tensor-files.ts';
import { parsePolygraphyInputs } from './formats/polygraphy.ts';

/** The graph inputs that need a feed (initializers listed as inputs do not). */
export function feedableInputs(model: Model): ValueInfo[] {
  return model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
}

/** Parses `name=file` (the name may contain '='; the last '=' splits). */
export function parseInputSpec(spec: string): { name: string; file: string } {
  const k = spec.lastIndexOf('=');
  if (k <= 0 || k === spec.length - 1) throw new Error(`--input '${spec}': expected name=file.npy`);
  return { name: spec.slice(0, k), file: spec.slice(k + 1) };
}

export function readInputFile(file: string, vi: ValueInfo): Tensor {
  let t: Tensor;
  if (file.endsWith('.json')) {
    const feeds = parsePolygraphyInputs(readFileSync(file, 'utf8'), file);
    const f = feeds[0]?.get(vi.name);
    if (!f) throw new Error(`${file}: no input named '${vi.name}' in its first feed`);
    t = f;
  } else if (file.endsWith('.bin') || file.endsWith('.raw')) {
    t = readRawTensor(file, vi);
  } else {
    t = readNpy(file);
  }
  checkFeed(vi, t, file);
  return t;
}

/** Wrong dtype or shape for a graph input: a clear error naming both. */
export function checkFeed(vi: ValueInfo, t: Tensor, source: string): void {
  if (vi.dtype && t.dtype !== vi.dtype) {
    throw new Error(`${source}: input '${vi.name}' is ${dataTypeName(vi.dtype)} but the file holds ${dataTypeName(t.dtype)}`);
  }
  if (vi.shape) {
    const ok = vi.shape.length === t.dims.length && vi.shape.every((d, i) => typeof d !== 'number' || d === t.dims[i]);
    if (!ok) throw new Error(`${source}: input '${vi.name}' has shape [${vi.shape.map((d) => d ?? '?').join(',')}] but the file holds [${t.dims.join(',')}]`);
  }
}

/** Seeded uniform feed ([-1, 1) for floats; the interpreter's generator), symbolic dims set to 1. */
export function randomFeed(vi: ValueInfo, seed: number): Tensor {
  const dims = (vi.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  try {
    return randomTensor(vi.dtype, dims, mulberry32(seed));
  } catch (e) {
    throw new Error(`input '${vi.name}': ${(e as Error).message}; pass --input ${vi.name}=file.npy`);
  }
}

/** Resolves every feed: explicit files first, then `fallback` (artifact inputs), then seeded random. */
export function resolveFeeds(
  model: Model, specs: readonly string[], seed: number, fallback: Map<string, Tensor> | null, fallbackSource: string,
): { feeds: Map<string, Tensor>; sources: Map<string, string> } {
  const inputs = feedableInputs(model);
  const byName = new Map(inputs.map((v) => [v.name, v]));
  const feeds = new Map<string, Tensor>();
  const sources = new Map<string, string>();
  for (const spec of specs) {
    const { name, file } = parseInputSpec(spec);
    const vi = byName.get(name);
    if (!vi) throw new Error(`--input '${spec}': the model has no input '${name}' (inputs: ${inputs.map((v) => v.name).join(', ')})`);
    feeds.set(name, readInputFile(file, vi));
    sources.set(name, file);
  }
  inputs.forEach((vi, k) => {
    if (feeds.has(vi.name)) return;
    const f = fallback?.get(vi.name);
    if (f) {
      checkFeed(vi, f, fallbackSource);
      feeds.set(vi.name, f);
      sources.set(vi.name, fallbackSource);
      return;
    }
    feeds.set(vi.name, randomFeed(vi, seed + k));
    sources.set(vi.name, `seeded uniform random (seed ${seed + k})`);
  });
  return { feeds, sources };
}
