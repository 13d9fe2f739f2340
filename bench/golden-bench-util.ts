/** Shared helpers of the golden benchmarks: timing, ORT kernel time from its profiler, data. */
import { mulberry32 } from '../src/sim/random.ts';

export { mulberry32 };
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

export function stats(ms: number[]): { min: number; med: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0], med: s[Math.floor(s.length / 2)] };
}

export function timeIt(fn: () => void, reps: number, warm = 2): number[] {
  for (let i = 0; i < warm; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

/**
 * Runs an ORT session `reps` times (after 2 warm-ups) with profiling on; returns kernel times (ms,
 * the sum of the node kernel events per run, from ORT's own profiler) and sess.run wall times (ms).
 */
export async function ortTimes(model: Uint8Array, feeds: Record<string, ort.Tensor>, threads: number, reps: number):
  Promise<{ kernel: number[]; wall: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'qdqsim-ortprof-'));
  const s = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: join(dir, 'p'),
  });
  const wall: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    if (i >= 2) wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  s.endProfiling();
  await s.release();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  const events = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { cat: string; name: string; dur: number }[];
  rmSync(dir, { recursive: true, force: true });
  // group kernel events by model_run: sum the *_kernel_time events between consecutive model_run ends
  const runs: number[] = [];
  let acc = 0;
  for (const e of events) {
    if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) acc += e.dur;
    if (e.cat === 'Session' && e.name === 'model_run') { runs.push(acc / 1000); acc = 0; }
  }
  return { kernel: runs.slice(2), wall };
}


export const fmt = (v: number, d = 2) => v.toFixed(d);
export { ort };
