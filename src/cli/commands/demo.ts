import type { Command } from 'commander';
import { runDemo } from '../demo/run-demo.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('The seed argument without a GPU: a ResNet-50 v1 quantized with TF-QAT (input-side Q/DQ) vs TFMOT-style (output-side) placement, both simulated as TensorRT --best engines, side by side, with lint findings')
    .option('--model <name>', 'zoo model to use', 'resnet50_v1')
    .option('--size <n>', 'input resolution', (v) => Number.parseInt(v, 10), 224)
    .option('--layers', 'also print both layer tables')
    .action((opts: { model: string; size: number; layers?: boolean }) => {
      process.stdout.write(runDemo(opts));
    });
}
