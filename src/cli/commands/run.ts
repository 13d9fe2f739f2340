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
import { loadModel } from '../../sim/onnx/model-io.ts';
import type { Tensor } from '../../sim/tensor.ts';
import { CliError } from '../cli-error.ts';

/** A value name made safe as a file name: [A-Za-z0-9._-] kept, anything else '_'; never '.', '..' or empty. */
export function fileSafeName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (s === '' || /^\.+$/.test(s)) s = s.replace(/\./g, '_') || '_';
  return s;
}

/** File-safe names for a list of value names, made unique (case-insensitively) with `_1`, `_2`, ... */
export function fileSafeNames(names: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const n of names) {
    const base = fileSafeName(n);
    let s = base;
    for (let k = 1; used.has(s.toLowerCase()); k++) s = `${base}_${k}`;
    used.add(s.toLowerCase());
    out.set(n, s);
  }
  return out;
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
    .option('--capture <names>', "also keep intermediate values (comma-separated names, or 'all') and write them to <output-dir>/captured.npz")
    .action((modelPath: string, o: { input: string[]; seed: string; dynamicDim: string; saveInputs?: string; outputDir?: string; capture?: string }) => {
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
      let res: ReturnType<typeof runModel>;
      try {
        res = runModel(model, feeds, { capture });
      } catch (e) {
        if (e instanceof GraphError) throw new CliError(e.withFile(modelPath).message, 1);
        throw e;
      }
      const ms = performance.now() - t0;

      const lines: string[] = [];
      lines.push(`model ${modelPath}: ${g.nodes.length} nodes, ran in ${ms.toFixed(1)} ms`);
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
