/**
 * `artifacts:DIR`: results recorded elsewhere (a GPU box), read from a folder:
 *   outputs   `outputs.json` (trtexec --exportOutput), or a Polygraphy RunResults JSON
 *             (`polygraphy run --save-results`, any *.json holding one), or `<output>.npy` per output;
 *   engine    optional `layers.json` / `*.graph.json` (--exportLayerInfo) and `profile.json` /
 *             `*.profile.json` (--exportProfile);
 *   inputs    optional, the inputs the recording was made with: `inputs/<name>.npy`,
 *             `inputs/<name>.bin` (trtexec --loadInputs raw files) or `inputs.json` (Polygraphy --save-inputs).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readNpy } from '../../../sim/io/npy.ts';
import type { Model } from '../../../sim/ir/graph.ts';
import type { Tensor } from '../../../sim/tensor.ts';
import { parseTrtexecLayers, type EngineLayerList } from '../formats/trtexec-layers.ts';
import { parseTrtexecOutputs } from '../formats/trtexec-output.ts';
import { parseTrtexecProfile, type EngineProfile } from '../formats/trtexec-profile.ts';
import { parsePolygraphyInputs, parsePolygraphyRunResults } from '../formats/polygraphy.ts';
import { fileSafeName, readRawTensor } from './tensor-files.ts';
import type { Backend, BackendRequest, BackendResult } from './types.ts';

export interface ArtifactSet {
  dir: string;
  outputs: Map<string, Tensor>;
  /** Which file(s) the outputs came from and in which format. */
  outputsFrom: string;
  layers?: EngineLayerList;
  profile?: EngineProfile;
  files: string[];
  notes: string[];
}

export function loadArtifacts(dir: string, model?: Model, runner?: string): ArtifactSet {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`artifacts folder '${dir}' does not exist`);
  const entries = readdirSync(dir).sort();
  const files: string[] = [];
  const notes: string[] = [];
  const read = (f: string) => {
    files.push(join(dir, f));
    return readFileSync(join(dir, f), 'utf8');
  };
  let outputs: Map<string, Tensor> | undefined;
  let outputsFrom = '';
  if (entries.includes('outputs.json')) {
    outputs = new Map(parseTrtexecOutputs(read('outputs.json'), join(dir, 'outputs.json')).map((o) => [o.name, o.tensor]));
    outputsFrom = 'outputs.json (trtexec --exportOutput)';
  }
  const jsons = entries.filter((f) => f.endsWith('.json') && !['outputs.json', 'layers.json', 'profile.json', 'inputs.json'].includes(f)
    && !f.endsWith('.graph.json') && !f.endsWith('.profile.json') && !f.endsWith('metadata.json'));
  for (const f of jsons) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (!text.includes('"RunResults"') && !text.includes('__polygraphy_encoded_RunResults')) continue;
    if (outputs) {
      notes.push(`${f}: Polygraphy results ignored (outputs already read from ${outputsFrom})`);
      continue;
    }
    files.push(join(dir, f));
    const runners = parsePolygraphyRunResults(text, join(dir, f));
    const pick = runner ? runners.find((r) => r.name === runner) : runners.find((r) => r.name.startsWith('trt-runner')) ?? runners[0];
    if (!pick) throw new Error(`${join(dir, f)}: no runner ${runner ? `named '${runner}'` : ''} (runners: ${runners.map((r) => r.name).join(', ') || 'none'})`);
    if (pick.iterations.length === 0) throw new Error(`${join(dir, f)}: runner '${pick.name}' has no iterations`);
    if (pick.iterations.length > 1) notes.push(`${f}: runner '${pick.name}' has ${pick.iterations.length} iterations; the first is compared`);
    if (runners.length > 1) notes.push(`${f}: runners ${runners.map((r) => r.name).join(', ')}; comparing '${pick.name}'`);
    outputs = pick.iterations[0].outputs;
    outputsFrom = `${f} (Polygraphy RunResults, runner '${pick.name}')`;
  }
  const npys = entries.filter((f) => f.endsWith('.npy'));
  if (!outputs && npys.length) {
    outputs = new Map();
    const byFile = new Map(npys.map((f) => [f.slice(0, -4), f]));
    const names = model ? model.graph.outputs.map((o) => o.name) : [...byFile.keys()];
    for (const name of names) {
      const f = byFile.get(name) ?? byFile.get(fileSafeName(name));
      if (!f) continue;
      files.push(join(dir, f));
      outputs.set(name, readNpy(join(dir, f)));
      byFile.delete(f.slice(0, -4));
    }
    for (const rest of byFile.keys()) notes.push(`${rest}.npy: not an output of the model, ignored`);
    outputsFrom = 'one .npy per output';
  }
  if (!outputs) {
    throw new Error(`artifacts folder '${dir}' holds no outputs: expected outputs.json (trtexec --exportOutput), ` +
      'a Polygraphy RunResults JSON (--save-results), or <output name>.npy files');
  }
  let layers: EngineLayerList | undefined;
  const layerFile = entries.find((f) => f === 'layers.json') ?? entries.find((f) => f.endsWith('.graph.json'));
  if (layerFile) layers = parseTrtexecLayers(read(layerFile), join(dir, layerFile));
  let profile: EngineProfile | undefined;
  const profFile = entries.find((f) => f === 'profile.json') ?? entries.find((f) => f.endsWith('.profile.json'));
  if (profFile) profile = parseTrtexecProfile(read(profFile), join(dir, profFile));
  return { dir, outputs, outputsFrom, layers, profile, files, notes };
}

/** The inputs a recording was made with, if the folder keeps them; null when it does not. */
export function loadArtifactInputs(dir: string, model: Model): Map<string, Tensor> | null {
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  const pj = join(dir, 'inputs.json');
  if (existsSync(pj)) {
    const feeds = parsePolygraphyInputs(readFileSync(pj, 'utf8'), pj);
    if (feeds.length === 0) throw new Error(`${pj}: holds no feeds`);
    return feeds[0];
  }
  const sub = join(dir, 'inputs');
  if (!existsSync(sub)) return null;
  const feeds = new Map<string, Tensor>();
  for (const vi of inputs) {
    const stem = join(sub, fileSafeName(vi.name));
    if (existsSync(`${stem}.npy`)) feeds.set(vi.name, readNpy(`${stem}.npy`));
    else if (existsSync(`${stem}.bin`)) feeds.set(vi.name, readRawTensor(`${stem}.bin`, vi));
    else throw new Error(`${sub}: no ${basename(stem)}.npy or .bin for model input '${vi.name}'`);
  }
  return feeds;
}

export function artifactsBackend(dir: string, runner?: string): Backend {
  return {
    name: `artifacts:${dir}`,
    async run(req: BackendRequest): Promise<BackendResult> {
      const a = loadArtifacts(dir, req.model, runner);
      return {
        backend: `artifacts:${dir}`,
        outputs: a.outputs,
        layers: a.layers,
        profile: a.profile,
        files: a.files,
        notes: [`outputs from ${a.outputsFrom}`, ...a.notes],
      };
    },
  };
}
