import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadModel } from '../../sim/onnx/model-io.ts';
import { artifactsBackend, loadArtifactInputs } from '../../trt/validation/backends/artifacts.ts';
import { ortBackend } from '../../trt/validation/backends/ort.ts';
import { precisionFlags, trtexecBackend, type TrtPrecision } from '../../trt/validation/backends/trtexec.ts';
import type { Backend } from '../../trt/validation/backends/types.ts';
import { compareModel, type ReferenceKind } from '../../trt/validation/compare.ts';
import { engineSupport } from '../../trt/validation/exec/predict.ts';
import { resolveFeeds } from '../../trt/validation/inputs.ts';
import { formatReport } from '../../trt/validation/report/text.ts';
import { renderHtmlReport } from '../../trt/validation/report/html.ts';
import { CliError } from '../cli-error.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

function num(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new CliError(`${flag} must be a non-negative number, got '${v}'`, 2);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('Hold a real or recorded execution (trtexec, onnxruntime, or artifacts from a GPU box) against qdqsim\'s simulated TensorRT engine, in quantization steps (LSB); exit 0 pass / 1 fail')
    .argument('<model>', 'the Q/DQ ONNX model')
    .requiredOption('--against <backend>', 'trtexec | ort | artifacts:DIR (outputs.json, Polygraphy RunResults JSON or <output>.npy; optional layers.json, profile.json, inputs/)')
    .option('--input <name=file>', 'an input as .npy, raw .bin (trtexec --loadInputs) or Polygraphy --save-inputs .json (repeatable)', collect, [])
    .option('--tol-lsb <n>', 'pass when every element is within N quantization steps', num('--tol-lsb'), 1)
    .option('--atol <x>', 'absolute tolerance for tensors without a quantization step (Polygraphy rule)', num('--atol'), 1e-5)
    .option('--rtol <x>', 'relative tolerance for tensors without a quantization step', num('--rtol'), 1e-5)
    .addOption(new Option('--reference <kind>', 'which qdqsim execution the recording is held against').choices(['engine-sim', 'qdq-float', 'float']).default('engine-sim'))
    .addOption(new Option('--precision <p>', 'build precision (trtexec flags and the predicted engine)').choices(['best', 'int8', 'fp16', 'fp32', 'strongly-typed']).default('best'))
    .addOption(new Option('--backend <b>', 'engine-sim arithmetic backend').choices(['ref', 'webgpu']).default('ref'))
    .option('--seed <n>', 'seed of the random inputs made when none are given', num('--seed'), 0)
    .option('--no-layerwise', 'do not record the engine-layer boundary tensors')
    .addOption(new Option('--ort-opt <level>', "onnxruntime graph optimization ('all' lets it fuse Q/DQ into its own integer kernels; 'disabled' is a pure float simulation)").choices(['disabled', 'basic', 'extended', 'all']).default('all'))
    .option('--run-dir <dir>', 'trtexec run folder (default qdqsim-runs/trtexec-<time>)')
    .option('--runner <name>', 'which runner of a Polygraphy RunResults file (default: the TensorRT one)')
    .option('--json <file>', 'write the report as JSON (schema qdqsim.compare/1, docs/validation.md)')
    .option('--html <file>', 'write the report as a self-contained HTML page')
    .action(async (modelPath: string, o: {
      against: string; input: string[]; tolLsb: number; atol: number; rtol: number; reference: ReferenceKind;
      precision: TrtPrecision; backend: 'ref' | 'webgpu'; ortOpt: 'disabled' | 'basic' | 'extended' | 'all'; seed: number; layerwise: boolean; runDir?: string; runner?: string;
      json?: string; html?: string;
    }) => {
      let model;
      try {
        model = loadModel(modelPath);
      } catch (e) {
        throw new CliError(`cannot load ${modelPath}: ${(e as Error).message}`, 2);
      }
      let backend: Backend;
      let fallback = null;
      let fallbackSource = '';
      if (o.against === 'ort') backend = ortBackend({ graphOptimizationLevel: o.ortOpt });
      else if (o.against === 'trtexec') backend = trtexecBackend({ precision: o.precision, runDir: o.runDir });
      else if (o.against.startsWith('artifacts:') && o.against.length > 'artifacts:'.length) {
        const dir = o.against.slice('artifacts:'.length);
        backend = artifactsBackend(dir, o.runner);
        try {
          fallback = loadArtifactInputs(dir, model);
        } catch (e) {
          throw new CliError((e as Error).message, 2);
        }
        fallbackSource = `${dir} (recorded inputs)`;
        if (!fallback && o.input.length === 0) {
          throw new CliError(`the artifacts in ${dir} hold no inputs (inputs/<name>.npy|.bin or inputs.json): pass the inputs they were recorded with, --input name=file.npy`, 2);
        }
      } else {
        throw new CliError(`--against must be trtexec, ort or artifacts:DIR (got '${o.against}')`, 2);
      }
      let feeds;
      try {
        feeds = resolveFeeds(model, o.input, o.seed, fallback, fallbackSource);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const support = await engineSupport(model, { precision: o.precision, backend: o.backend });
      const reference = o.reference;
      if (reference === 'engine-sim' && !support.engineSim) {
        throw new CliError(`--reference engine-sim needs the engine simulator: ${support.unavailable}`, 2);
      }
      let report;
      try {
        report = await compareModel({
          modelPath, model, feeds: feeds.feeds, feedSources: feeds.sources, backend, reference,
          options: { tolLsb: o.tolLsb, atol: o.atol, rtol: o.rtol },
          plan: support.plan, engineSim: support.engineSim, diffLayers: support.diffLayers,
          precisionFlags: precisionFlags({ major: 10, minor: 0, patch: 0, raw: 'v100000' }, o.precision).flags,
          layerwise: o.layerwise, command: `qdqsim compare ${process.argv.slice(3).join(' ') || modelPath}`,
        });
      } catch (e) {
        // a failed build/run or a recording of another model: not a verdict, an error (artifacts kept)
        throw new CliError((e as Error).message, 2);
      }
      process.stdout.write(formatReport(report));
      if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
      if (o.html) writeFileSync(o.html, renderHtmlReport(report));
      process.exitCode = report.verdict.pass ? 0 : 1;
    });
}
