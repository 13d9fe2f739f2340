import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { loadModel, saveModel } from '../../sim/onnx/model-io.ts';
import { DEFAULT_CACHE_HEADER, formatAmaxTable, formatCalibrationCache, parseAmaxTable, parseCalibrationCache } from '../../quant/calib/cache.ts';
import { applyAmax, applyScales, CALIB_METHODS, calibrationTargets, type CalibMethod, collectAllStatistics, collectStatistics, computeAmax, type Feeds } from '../../quant/calib/calibrate.ts';
import { loadCalibrationData } from '../../quant/calib/data.ts';
import { DEFAULT_PERCENTILE } from '../../quant/calib/percentile.ts';
import { syntheticBatches } from '../../quant/calib/synthetic.ts';
import { QuantError } from '../../quant/quant-error.ts';
import { CliError } from '../cli-error.ts';

interface CalibrateCliOptions {
  output?: string;
  data?: string;
  method: CalibMethod;
  percentile: string;
  batches: string;
  seed: string;
  batchSize?: string;
  cache?: string;
  cacheHeader: string;
  amaxJson?: string;
  fromCache?: string;
  fromAmax?: string;
  verbose?: boolean;
}

function int(v: string, what: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${what} must be an integer >= ${min}, got "${v}"`, 2);
  return n;
}

function readText(path: string, what: string): string {
  try { return readFileSync(path, 'utf8'); } catch (e) { throw new CliError(`cannot read ${what} ${path}: ${(e as Error).message}`, 2); }
}

export function register(program: Command): void {
  program
    .command('calibrate')
    .description('PTQ calibration of a Q/DQ model: run the float graph through the reference interpreter over a calibration set, compute each activation amax (max, percentile, MSE or entropy as pytorch-quantization/TensorRT), write the scales; reads/writes TensorRT calibration caches and JSON amax tables')
    .argument('<model>', 'ONNX model with activation Q/DQ (from `qdqsim quantize`)')
    .option('-o, --output <file>', 'write the calibrated ONNX model here')
    .option('--data <path>', 'calibration set: file.npz (arrays keyed by input name, samples stacked on axis 0), file.npy (single input), or a folder of them; without it, seeded synthetic data is used and reported as such')
    .addOption(new Option('--method <m>', 'how amax is chosen from the statistics').choices([...CALIB_METHODS]).default('entropy'))
    .option('--percentile <p>', 'percentile for --method percentile', String(DEFAULT_PERCENTILE))
    .option('--batches <n>', 'number of synthetic batches when no --data is given', '4')
    .option('--seed <n>', 'seed of the synthetic data', '0')
    .option('--batch-size <n>', 'batch size for splitting stacked samples when the model batch dimension is symbolic')
    .option('--cache <file>', 'also write a TensorRT calibration cache (TRT-<ver>-EntropyCalibration2 text, hex float32 scale per tensor)')
    .option('--cache-header <h>', 'header line of the written cache', DEFAULT_CACHE_HEADER)
    .option('--amax-json <file>', 'also write the amax table as JSON')
    .option('--from-cache <file>', 'do not run: take the scales from a TensorRT calibration cache')
    .option('--from-amax <file>', 'do not run: take the amax values from a JSON amax table')
    .option('--verbose', 'print every tensor amax')
    .action((input: string, o: CalibrateCliOptions) => {
      if (!o.output && !o.cache && !o.amaxJson) throw new CliError('nothing to write: give -o OUT.onnx, --cache FILE or --amax-json FILE', 2);
      if (o.fromCache && o.fromAmax) throw new CliError('give at most one of --from-cache and --from-amax', 2);
      const percentile = Number(o.percentile);
      if (!(percentile >= 0 && percentile <= 100)) throw new CliError(`--percentile must be in [0, 100], got "${o.percentile}"`, 2);
      const model = loadModel(input);
      try {
        const targets = calibrationTargets(model);
        // A float model (no Q/DQ): calibrate every activation for a TensorRT implicit-quantization cache
        const implicit = targets.size === 0;
        if (implicit && (o.output || o.fromCache || o.fromAmax)) {
          throw new QuantError(`${input} has no activation QuantizeLinear to write scales into; run \`qdqsim quantize\` first, or give only --cache/--amax-json to calibrate every activation of the float model`);
        }
        let amax: Map<string, number> | undefined;
        let calibrated = model;
        let missing: string[] = [];
        if (o.fromCache) {
          const cache = parseCalibrationCache(readText(o.fromCache, 'calibration cache'), o.fromCache);
          const r = applyScales(model, cache.scales);
          calibrated = r.model; missing = r.missing;
          amax = new Map([...cache.scales].map(([t, s]) => [t, s * 127]));
          process.stdout.write(`calibrate: scales from ${o.fromCache} (${cache.header}, ${cache.scales.size} tensors)\n`);
        } else if (o.fromAmax) {
          amax = parseAmaxTable(readText(o.fromAmax, 'amax table'), o.fromAmax);
          const r = applyAmax(model, amax);
          calibrated = r.model; missing = r.missing;
          process.stdout.write(`calibrate: amax from ${o.fromAmax} (${amax.size} tensors)\n`);
        } else {
          let batches: Feeds[];
          if (o.data) {
            batches = loadCalibrationData(model, o.data, { batchSize: o.batchSize ? int(o.batchSize, '--batch-size', 1) : undefined });
            process.stdout.write(`calibrate: ${batches.length} batches from ${o.data}, method ${o.method}\n`);
          } else {
            const n = int(o.batches, '--batches', 1), seed = int(o.seed, '--seed', 0);
            batches = syntheticBatches(model, n, seed);
            process.stdout.write(`calibrate: WARNING: no --data given: using ${n} batches of SYNTHETIC data (standard normal, seed ${seed}); the scales do not describe real inputs\n`);
            process.stdout.write(`calibrate: method ${o.method}\n`);
          }
          const bar = new SingleBar({ stream: process.stderr, format: 'calibrate [{bar}] {value}/{total} batches', hideCursor: true });
          bar.start(batches.length, 0);
          let stats;
          try {
            stats = implicit
              ? collectAllStatistics(model, batches, { onProgress: (d) => bar.update(d) })
              : collectStatistics(model, batches, [...targets.keys()], { onProgress: (d) => bar.update(d) });
          } finally { bar.stop(); }
          if (implicit) process.stdout.write(`calibrate: ${input} has no Q/DQ: calibrated all ${stats.size} float activations for an implicit-quantization cache\n`);
          amax = computeAmax(stats, o.method, percentile);
          const r = applyAmax(model, amax);
          calibrated = r.model; missing = r.missing;
        }
        if (missing.length && !implicit) {
          throw new QuantError(`no amax for ${missing.length} quantized tensor(s) of ${input}: ${missing.slice(0, 5).map((t) => `"${t}"`).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
        }
        if (!implicit) process.stdout.write(`calibrate: ${targets.size} activation tensors calibrated\n`);
        if (o.verbose) for (const [t, a] of amax) process.stdout.write(`  ${t}: amax ${a} scale ${Math.fround(a / 127)}\n`);
        if (o.output) { saveModel(calibrated, o.output); process.stdout.write(`wrote ${o.output}\n`); }
        const onlyTargets = implicit ? amax : new Map([...amax].filter(([t]) => targets.has(t)));
        if (o.cache) { writeFileSync(o.cache, formatCalibrationCache(onlyTargets, o.cacheHeader)); process.stdout.write(`wrote ${o.cache}\n`); }
        if (o.amaxJson) { writeFileSync(o.amaxJson, formatAmaxTable(onlyTargets, o.fromCache || o.fromAmax ? undefined : o.method)); process.stdout.write(`wrote ${o.amaxJson}\n`); }
      } catch (e) {
        if (e instanceof QuantError) throw new CliError(e.message);
        throw e;
      }
    });
}
