/**
 * Seeded fuzzing of the whole pipeline on real model bytes: truncate / flip / overwrite / splice the
 * protobuf, then decode -> infer shapes -> run. Every outcome must be a valid result or a clean error
 * (a GraphError or model-format error whose message names the file/node/tensor) — never a TypeError or
 * other internal failure, never a hang.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { GraphError } from '../../../src/sim/ir/graph-error.ts';
import { mulberry32, randomFeeds } from '../../../src/sim/interp/random-inputs.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { numel } from '../../../src/sim/interp/tensor-util.ts';
import { decodeModel, encodeModel } from '../../../src/sim/onnx/model-io.ts';
import { inferShapes } from '../../../src/sim/shape/infer-shapes.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';

const FILE = 'fuzz.onnx';
/** Run only models whose every inferred tensor stays below this (keeps each run to milliseconds). */
const RUN_LIMIT = 200_000;
/** Iterations (QDQSIM_FUZZ_ITERS overrides, e.g. for a long local campaign) and seed. */
const ITERS = Number(process.env.QDQSIM_FUZZ_ITERS ?? 3000);
const SEED = Number(process.env.QDQSIM_FUZZ_SEED ?? 20261130);

function smallNet(): Uint8Array {
  const b = new GraphBuilder('fuzz');
  const rand = mulberry32(3);
  const t = (dims: number[]) => makeTensor(DataType.FLOAT, dims, Float32Array.from({ length: dims.reduce((a, c) => a * c, 1) }, () => rand() - 0.5));
  const x = b.input('x', DataType.FLOAT, [1, 3, 8, 8]);
  const c = b.op('Conv', [b.qdq(x, 0.02), b.dequantize(b.quantize(b.initializer('w', t([4, 3, 3, 3])), 0.01), 0.01), b.initializer('bias', t([4]))], { pads: [1, 1, 1, 1] });
  const bn = b.op('BatchNormalization', [c, b.initializer('s', t([4])), b.initializer('bb', t([4])), b.initializer('m', t([4])), b.constant([1, 1, 1, 1], DataType.FLOAT)]);
  const p = b.op('MaxPool', [b.op('Relu', [bn])], { kernel_shape: [2, 2], strides: [2, 2] });
  const r = b.op('Reshape', [p, b.constant([1n, -1n], DataType.INT64)]);
  const g = b.op('Gemm', [r, b.initializer('fc', t([5, 64]))], { transB: 1 });
  b.output(b.op('Softmax', [g], { axis: 1 }));
  return encodeModel(b.model());
}

function corpus(): { name: string; bytes: Uint8Array }[] {
  const dir = 'test/fixtures/onnx-node-tests';
  const real = readdirSync(dir).filter((d) => !d.endsWith('.md')).sort()
    .filter((_, i) => i % 4 === 0) // a spread of the quantization node tests
    .map((d) => ({ name: d, bytes: new Uint8Array(readFileSync(join(dir, d, 'model.onnx'))) }));
  return [{ name: 'small-qdq-convnet', bytes: smallNet() }, ...real];
}

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const r = (n: number) => Math.floor(rand() * n);
  const b = new Uint8Array(src);
  switch (r(5)) {
    case 0: return b.subarray(0, r(b.length)); // truncate
    case 1: { // flip a few bits
      for (let i = 0, n = 1 + r(8); i < n; i++) b[r(b.length)] ^= 1 << r(8);
      return b;
    }
    case 2: { // overwrite a run with random bytes
      const at = r(b.length), len = 1 + r(16);
      for (let i = at; i < Math.min(b.length, at + len); i++) b[i] = r(256);
      return b;
    }
    case 3: { // set a byte to a varint-ish extreme
      b[r(b.length)] = [0x00, 0x7f, 0x80, 0xff][r(4)];
      return b;
    }
    default: { // splice: drop a range
      const at = r(b.length), len = 1 + r(32);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + len))]);
    }
  }
}

type Outcome = 'ran' | 'load-error' | 'graph-error' | 'skipped-large';

function isInternal(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if (c instanceof TypeError || c instanceof ReferenceError || c instanceof SyntaxError) return true;
  }
  return !(e instanceof Error) || !(e as Error).message;
}

function pipeline(bytes: Uint8Array): Outcome {
  let model;
  try {
    model = decodeModel(bytes, { path: FILE });
  } catch (e) {
    if (isInternal(e)) throw e;
    expect((e as Error).message.startsWith(FILE), (e as Error).message).toBe(true);
    return 'load-error';
  }
  try {
    const shapes = inferShapes(model, { file: FILE });
    for (const v of shapes.values()) {
      if (!v.shape || v.shape.some((d) => typeof d !== 'number') || numel(v.shape as number[]) > RUN_LIMIT) return 'skipped-large';
    }
    runModel(model, randomFeeds(model, { seed: 1 }));
    return 'ran';
  } catch (e) {
    if (isInternal(e)) throw e;
    if (!(e instanceof GraphError)) throw new Error(`not a GraphError: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    return 'graph-error';
  }
}

describe('fuzz: mutated and truncated models fail cleanly', () => {
  it(`${ITERS} seeded mutations over a conv net and ONNX node-test models`, { timeout: 300_000 }, () => {
    const rand = mulberry32(SEED);
    const models = corpus();
    const counts: Record<Outcome, number> = { ran: 0, 'load-error': 0, 'graph-error': 0, 'skipped-large': 0 };
    expect(pipeline(models[0].bytes)).toBe('ran'); // (node-test models may refuse random scales: a clean GraphError)
    for (let i = 0; i < ITERS; i++) {
      const m = models[i % models.length];
      const bytes = mutate(m.bytes, rand);
      let out: Outcome;
      try {
        out = pipeline(bytes);
      } catch (e) {
        throw new Error(`seed ${SEED} iteration ${i} (${m.name}): internal failure: ${(e as Error).stack ?? e}`);
      }
      counts[out]++;
    }
    console.log(`fuzz outcomes: ${JSON.stringify(counts)}`);
    expect(counts['load-error'] + counts['graph-error']).toBeGreaterThan(50);
  });

  it('every truncation of the conv net fails cleanly or loads', { timeout: 300_000 }, () => {
    const bytes = smallNet();
    const step = Math.max(1, Math.floor(bytes.length / 1500));
    for (let len = 0; len < bytes.length; len += step) {
      try {
        pipeline(bytes.subarray(0, len));
      } catch (e) {
        throw new Error(`truncation to ${len} bytes: internal failure: ${(e as Error).stack ?? e}`);
      }
    }
  });
});
