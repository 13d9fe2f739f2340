import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { dataTypeName } from '../../sim/data-type.ts';
import { GraphError } from '../../sim/ir/graph-error.ts';
import { randomFeeds } from '../../sim/interp/random-inputs.ts';
import { runModel } from '../../sim/interp/run-model.ts';
import { readNumbers } from '../../sim/interp/tensor-util.ts';
import { NpyError, readNpy, writeNpy } from '../../sim/io/npy.ts';
import { readNpz, writeNpz } from '../../sim/io/npz.ts';
import { fileSafeNames } from '../../sim/io/file-safe-name.ts';
import { loadModel } from '../../sim/onnx/model-io.ts';
import type { Tensor } from '../../sim/tensor.ts';
import { CliError } from '../cli-error.ts';
import { runEngineSim } from '../../trt/validation/exec/engine-sim.ts';
import type { Precision } from '../../trt/build-options.ts';

interface RunCliOptions {
  input: string[];
  seed: string;
  dynamicDim: string;
  saveInputs?: string;
  outputDir?: string;
  capture?: string;
  engineSim?: boolean;
  backend: string;
  precision: string;
}

const PRECISIONS: readonly Precision[] = ['best', 'int8', 'fp16', 'fp32', 'strongly-typed'];

function parsePrecision(p: string): Precision {
  if (!(PRECISIONS as readonly string[]).includes(p)) throw new CliError(`--precision must be one of ${PRECISIONS.join(', ')}, got '${p}'`, 2);
  return p as Precision;
}

function parseBackend(b: string): 'ref' | 'webgpu' {
  if (b !== 'ref' && b !== 'webgpu') throw new CliError(`--backend must be ref or webgpu, got '${b}'`, 2);
  return b;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** One-line statistics of a tensor for the summary. */
export function describeTensor(t: Tensor): string {
  const v = readNumbers(t);
  let min = Infinity, max = -Infinity, sum = 0, nan = 0, inf = 0, finite = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Number.isNaN(x)) { nan++; continue; }
    if (!Number.isFinite(x)) { inf++; continue; }
    finite++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));
  const stats = finite ? `min ${fmt(min)} max ${fmt(max)} mean ${fmt(sum / finite)}` : 'no finite values';
  const bad = nan || inf ? ` (${nan} NaN, ${inf} Inf)` : '';
  return `${dataTypeName(t.dtype)} [${t.dims.join(',')}] ${stats}${bad}`;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('Execute an ONNX model with the reference interpreter (float32 semantics, exact quantization arithmetic); seeded random inputs for any input not given; writes outputs as .npy and prints a summary')
    .argument('<model>', 'the .onnx model')
    .option('--input <name=file>', 'an input from a .npy file (repeatable); or a .npz file whose arrays are named like the inputs', collect, [])
    .option('--seed <n>', 'seed of the random inputs', '0')
    .option('--dynamic-dim <n>', 'size given to symbolic/unknown input dims of random inputs', '1')
    .option('--save-inputs <dir>', 'write the inputs used as <dir>/<name>.npy')
    .option('--output-dir <dir>', 'write each output as <dir>/<name>.npy (names made file-safe)')
    .option('--engine-sim', 'execute the predicted TensorRT engine instead (fused INT8 layers with int32 accumulation, float32 epilogue, FP16 where the build would use it)')
    .option('--backend <ref|webgpu>', 'engine-sim arithmetic: TypeScript reference or the WGSL kernels (identical bits)', 'ref')
    .option('--precision <p>', 'engine-sim build flags: best|int8|fp16|fp32|strongly-typed', 'best')
    .option('--capture <names>', "also keep intermediate values (comma-separated names, or 'all') and write them to <output-dir>/captured.npz")
    .action(async (modelPath: string, o: RunCliOptions) => {
      const seed = Number(o.seed);
      if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer, got '${o.seed}'`, 2);
      const dyn = Number(o.dynamicDim);
      if (!Number.isInteger(dyn) || dyn < 0) throw new CliError(`--dynamic-dim must be a non-negative integer, got '${o.dynamicDim}'`, 2);
      if (o.capture && !o.outputDir) throw new CliError('--capture needs --output-dir (captured values are written to <output-dir>/captured.npz)', 2);
      if (!existsSync(modelPath)) throw new CliError(`${modelPath}: no such file`, 1);
      const model = loadModel(modelPath);
      const g = model.graph;
      const feeds: Record<string, Tensor> = {};
      const given = new Set<string>();
      try {
        for (const spec of o.input) {
          const eq = spec.indexOf('=');
          if (eq < 0) {
            if (!spec.endsWith('.npz')) throw new CliError(`--input '${spec}' is neither name=file.npy nor a .npz file`, 2);
            for (const [name, t] of Object.entries(readNpz(spec))) {
              feeds[name] = t;
              given.add(name);
            }
            continue;
          }
          const name = spec.slice(0, eq);
          const file = spec.slice(eq + 1);
          if (!name || !file) throw new CliError(`--input '${spec}' is not name=file.npy`, 2);
          if (!g.inputs.some((v) => v.name === name)) {
            throw new CliError(`--input '${name}': the model has no input of that name (inputs: ${g.inputs.filter((v) => !g.initializers.has(v.name)).map((v) => v.name).join(', ')})`, 2);
          }
          feeds[name] = readNpy(file);
          given.add(name);
        }
      } catch (e) {
        if (e instanceof NpyError) throw new CliError(e.message, 1);
        throw e;
      }
      const missingModel = { ...model, graph: { ...g, inputs: g.inputs.filter((v) => !given.has(v.name)) } };
      let random: Record<string, Tensor>;
      try {
        random = randomFeeds(missingModel, { seed, dynamicDim: dyn });
      } catch (e) {
        if (e instanceof GraphError) throw new CliError(e.withFile(modelPath).message, 1);
        throw e;
      }
      Object.assign(feeds, random);

      if (o.saveInputs) {
        mkdirSync(o.saveInputs, { recursive: true });
        const names = fileSafeNames(Object.keys(feeds));
        for (const [name, t] of Object.entries(feeds)) writeNpy(join(o.saveInputs, `${names.get(name)}.npy`), t);
      }

      const capture = o.capture === undefined ? undefined : o.capture === 'all' ? 'all' as const : o.capture.split(',').map((s) => s.trim()).filter(Boolean);
      const t0 = performance.now();
      let res: { outputs: Record<string, Tensor>; captured: Record<string, Tensor> };
      let how = 'reference interpreter';
      try {
        if (o.engineSim) {
          if (capture === 'all') throw new CliError("--capture all is not available with --engine-sim: name the tensors (engine-layer boundaries survive; fused intermediates do not exist in the engine)", 2);
          const backend = parseBackend(o.backend);
          const precision = parsePrecision(o.precision);
          const sim = await runEngineSim(model, feeds, { backend, precision, capture });
          res = sim;
          const fused = sim.layers.filter((l) => l.mode === 'int8-fused').length;
          how = `simulated TensorRT engine (${precision}, ${backend}): ${sim.engine.layers.length} layers, ${fused} fused INT8`;
        } else {
          res = runModel(model, feeds, { capture });
        }
      } catch (e) {
        if (e instanceof GraphError) throw new CliError(e.withFile(modelPath).message, 1);
        throw e;
      }
      const ms = performance.now() - t0;

      const lines: string[] = [];
      lines.push(`model ${modelPath}: ${g.nodes.length} nodes, ran in ${ms.toFixed(1)} ms on the ${how}`);
      for (const [name, t] of Object.entries(feeds)) lines.push(`  input  ${name}: ${random[name] ? `random (seed ${seed})` : 'from file'} ${describeTensor(t)}`);
      const outNames = fileSafeNames(Object.keys(res.outputs));
      if (o.outputDir) {
        if (existsSync(o.outputDir) && !statSync(o.outputDir).isDirectory()) throw new CliError(`--output-dir ${o.outputDir} is not a directory`, 2);
        mkdirSync(o.outputDir, { recursive: true });
      }
      for (const [name, t] of Object.entries(res.outputs)) {
        let where = '';
        if (o.outputDir) {
          const p = join(o.outputDir, `${outNames.get(name)}.npy`);
          writeNpy(p, t);
          where = ` -> ${p}`;
        }
        lines.push(`  output ${name}: ${describeTensor(t)}${where}`);
      }
      if (o.outputDir && capture) {
        const p = join(o.outputDir, 'captured.npz');
        writeNpz(p, res.captured);
        lines.push(`  captured ${Object.keys(res.captured).length} values -> ${p}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
