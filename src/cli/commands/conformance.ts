import { Command, Option } from 'commander';
import { NAMED_VARIANTS } from '../../sim/golden/rounding.ts';
import { type ConformanceEngine, findNodeTestDirs, runNodeTest } from '../../testing/conformance.ts';
import { CliError } from '../cli-error.ts';

export function register(program: Command): void {
  program
    .command('conformance')
    .description('Run ONNX backend node-test folders (model.onnx + test_data_set_*/input_N.pb, output_N.pb) through the reference and compare every output bit for bit; exit 1 if any fails')
    .argument('<dir...>', 'node-test folders, or folders that contain them (e.g. test/fixtures/onnx-node-tests)')
    .addOption(new Option('--engine <engine>', 'interp: the reference interpreter runs the whole model; direct: a single quantization node goes straight to the golden ONNX-semantics functions; auto: interp, or direct when the interpreter cannot be loaded').choices(['auto', 'interp', 'direct']).default('auto'))
    .addOption(new Option('--variant <name>', 'arithmetic of the direct engine (onnx-reference emulates the ONNX reference evaluator op by op)').choices(Object.keys(NAMED_VARIANTS)).default('spec'))
    .option('--quiet', 'print only failures and the summary')
    .action(async (dirs: string[], o: { engine: ConformanceEngine; variant: string; quiet?: boolean }) => {
      let tests: string[];
      try {
        tests = findNodeTestDirs(dirs);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      let passed = 0;
      for (const dir of tests) {
        const r = await runNodeTest(dir, {
          engine: o.engine,
          opOptions: o.variant === 'onnx-reference' ? { reference: true } : { variant: NAMED_VARIANTS[o.variant] },
        });
        if (r.passed) passed++;
        if (!r.passed || !o.quiet) process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'} ${r.name} [${r.engine}] ${r.detail}\n`);
      }
      process.stdout.write(`conformance: ${passed}/${tests.length} passed\n`);
      if (passed !== tests.length) process.exitCode = 1;
    });
}
