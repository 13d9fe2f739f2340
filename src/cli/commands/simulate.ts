import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadModel } from '../../sim/onnx/model-io.ts';
import type { Precision } from '../../trt/build-options.ts';
import { TrtBuildError } from '../../trt/build-error.ts';
import { engineToLayerInfo } from '../../trt/export-layer-info.ts';
import { formatEngineTable } from '../../trt/format-table.ts';
import { simulateEngine } from '../../trt/simulate.ts';
import { CliError } from '../cli-error.ts';

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Predict the TensorRT engine a Q/DQ ONNX model becomes: layers, fused nodes, precisions, stand-alone Q/DQ')
    .argument('<model>', 'the ONNX model')
    .option('--best', 'trtexec --best: INT8 + FP16 + FP32 (default)')
    .option('--int8', 'trtexec --int8: INT8 + FP32')
    .option('--fp16', 'trtexec --fp16: FP16 + FP32')
    .option('--fp32', 'no precision flags')
    .option('--strongly-typed', 'trtexec --stronglyTyped (TensorRT 10 rule set)')
    .addOption(new Option('--trt <version>', 'TensorRT rule set').choices(['8.x', '10.x']).default('8.x'))
    .option('--json <file>', 'write the engine as trtexec --exportLayerInfo JSON (detailed) plus a qdqsim section with the trace')
    .option('--trace', 'print every rule firing')
    .action((modelPath: string, o: { best?: boolean; int8?: boolean; fp16?: boolean; fp32?: boolean; stronglyTyped?: boolean; trt: '8.x' | '10.x'; json?: string; trace?: boolean }) => {
      const flags = (['best', 'int8', 'fp16', 'fp32', 'stronglyTyped'] as const).filter((f) => o[f]);
      if (flags.length > 1) throw new CliError(`choose one precision flag, got ${flags.map((f) => `--${f}`).join(' ')}`, 2);
      const precision: Precision = flags[0] === 'stronglyTyped' ? 'strongly-typed' : (flags[0] ?? 'best');
      const version = o.stronglyTyped && o.trt === '8.x' ? '10.x' : o.trt;
      let model;
      try {
        model = loadModel(modelPath);
      } catch (e) {
        throw new CliError(`cannot load ${modelPath}: ${(e as Error).message}`, 2);
      }
      let engine;
      try {
        engine = simulateEngine(model, { precision, version });
      } catch (e) {
        if (e instanceof TrtBuildError) throw new CliError(`TensorRT would refuse ${modelPath}: ${e.message}`, 1);
        throw e;
      }
      process.stdout.write(`${formatEngineTable(engine, { trace: o.trace })}\n`);
      if (o.json) {
        writeFileSync(o.json, `${JSON.stringify(engineToLayerInfo(engine), null, 1)}\n`);
        process.stdout.write(`wrote ${o.json}\n`);
      }
    });
}
