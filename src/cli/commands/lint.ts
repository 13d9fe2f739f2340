import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadModel } from '../../sim/onnx/model-io.ts';
import type { Precision } from '../../trt/build-options.ts';
import { TrtBuildError } from '../../trt/build-error.ts';
import { formatFindings, lintModel } from '../../trt/lint.ts';
import { CliError } from '../cli-error.ts';

export function register(program: Command): void {
  program
    .command('lint')
    .description('Find Q/DQ placements TensorRT will not fuse; each finding has a code, the nodes, why, and a fix verified by re-simulation')
    .argument('<model>', 'the Q/DQ ONNX model')
    .addOption(new Option('--precision <p>', 'build precision to simulate').choices(['best', 'int8', 'strongly-typed']).default('best'))
    .addOption(new Option('--trt <version>', 'TensorRT rule set').choices(['8.x', '10.x']).default('8.x'))
    .option('--json <file>', 'write the findings as JSON')
    .option('--fail-on-findings', 'exit 1 when there is any finding')
    .action((modelPath: string, o: { precision: Precision; trt: '8.x' | '10.x'; json?: string; failOnFindings?: boolean }) => {
      let model;
      try {
        model = loadModel(modelPath);
      } catch (e) {
        throw new CliError(`cannot load ${modelPath}: ${(e as Error).message}`, 2);
      }
      let result;
      try {
        result = lintModel(model, { precision: o.precision, version: o.precision === 'strongly-typed' ? '10.x' : o.trt });
      } catch (e) {
        if (e instanceof TrtBuildError) throw new CliError(`TensorRT would refuse ${modelPath}: ${e.message}`, 1);
        throw e;
      }
      process.stdout.write(`${formatFindings(result.findings)}\n`);
      if (o.json) writeFileSync(o.json, `${JSON.stringify({ findings: result.findings }, null, 1)}\n`);
      if (o.failOnFindings && result.findings.length > 0) process.exitCode = 1;
    });
}
