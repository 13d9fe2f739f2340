import { Command } from 'commander';
import { acquireGpu, adapterName, NoAdapterError, releaseGpu } from '../../kernels/device.ts';
import { KernelRunner } from '../../kernels/runner.ts';
import { type CheckResult, differentialChecks, goldenVectorChecks } from '../../kernels/self-check.ts';
import { CliError } from '../cli-error.ts';

interface KernelsCheckOptions { adapterInfo?: boolean; elements: string; seed: string; json?: boolean; goldenVectors: boolean }

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r, i) => {
    const line = r.map((c, j) => (j >= 3 ? c.padStart(w[j]!) : c.padEnd(w[j]!))).join('  ');
    return i === 0 ? `${line}\n${w.map((n) => '-'.repeat(n)).join('  ')}` : line;
  }).join('\n');
}

export function register(program: Command): void {
  const kernels = program.command('kernels').description('The WebGPU kernels (bit-exact WGSL quantize, fake-quant, int8 matmul/conv, requantize)');
  kernels
    .command('check')
    .description('Run the kernel suite on whatever WebGPU adapter is present and print kernel x pass/fail with mismatch counts against the golden reference: certifies a GPU driver')
    .option('--adapter-info', 'print the adapter, its features, WGSL language features and limits')
    .option('--elements <n>', 'differential elements per kernel and method/path', String(1 << 20))
    .option('--seed <n>', 'seed of the differential inputs', '20261130')
    .option('--json', 'print the results as JSON instead of a table')
    .option('--no-golden-vectors', 'skip the golden-vector files (differential inputs only)')
    .action(async (o: KernelsCheckOptions) => {
      const elements = Number(o.elements), seed = Number(o.seed);
      if (!Number.isInteger(elements) || elements < 1) throw new CliError(`--elements must be a positive integer, got "${o.elements}"`, 2);
      if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer, got "${o.seed}"`, 2);
      let ctx;
      try {
        ctx = await acquireGpu();
      } catch (e) {
        if (e instanceof NoAdapterError) throw new CliError(e.message, 2);
        throw e;
      }
      try {
        const s = ctx.summary;
        process.stdout.write(`adapter: ${adapterName(ctx)}${s.isFallbackAdapter ? ' (fallback/software)' : ''}\n`);
        process.stdout.write(`dot4I8Packed: ${ctx.hasDot4 ? 'available (packed and scalar paths checked)' : 'not available (scalar path only)'}\n`);
        if (o.adapterInfo) {
          process.stdout.write(`vendor: ${s.vendor}  architecture: ${s.architecture}  device: ${s.device}\n`);
          process.stdout.write(`features: ${s.features.join(', ')}\n`);
          process.stdout.write(`wgslLanguageFeatures: ${s.wgslLanguageFeatures.join(', ')}\n`);
          process.stdout.write(`limits: ${Object.entries(s.limits).map(([k, v]) => `${k}=${v}`).join(', ')}\n`);
        }
        const runner = new KernelRunner(ctx);
        const t0 = performance.now();
        const results: CheckResult[] = [...(o.goldenVectors ? await goldenVectorChecks(runner) : []), ...await differentialChecks(runner, { seed, elements })];
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ adapter: s, results }, null, 1)}\n`);
        } else {
          if (o.goldenVectors && results.every((r) => r.source === 'differential')) process.stdout.write('golden vectors: not found (test/fixtures/golden-vectors is not part of this install)\n');
          const rows = [['kernel', 'method / variant', 'inputs', 'elements', 'mismatches', 'unsupported', 'result']];
          for (const r of results) {
            rows.push([r.kernel, r.variant, r.source, String(r.elements), String(r.mismatches), String(r.unsupported),
              r.mismatches || r.error ? 'FAIL' : r.elements === 0 ? 'n/a' : 'pass']);
          }
          process.stdout.write(`${table(rows)}\n`);
          for (const r of results.filter((x) => x.mismatches || x.error)) {
            process.stdout.write(`FAIL ${r.kernel} ${r.variant}: ${r.error ?? r.firstBad}\n`);
          }
        }
        const failed = results.filter((r) => r.mismatches || r.error).length;
        const na = results.filter((r) => !r.mismatches && !r.error && r.elements === 0).length;
        process.stdout.write(`kernels check: ${results.length - failed - na} passed, ${failed} failed, ${na} not applicable (variants a kernel does not implement) in ${secs} s (seed ${seed})\n`);
        if (failed) process.exitCode = 1;
      } finally {
        releaseGpu(ctx);
      }
    });
}
