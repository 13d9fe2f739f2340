import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { decodeNpy, encodeNpy, readNpy } from '../../../src/sim/io/npy.ts';
import { parsePolygraphyInputs, parsePolygraphyRunResults, writePolygraphyRunResults } from '../../../src/trt/validation/formats/polygraphy.ts';
import { decodeRawTensor } from '../../../src/trt/validation/backends/tensor-files.ts';

const FIX = 'test/fixtures/validation';
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');
const logits = () => readNpy(join(FIX, 'expected-logits.npy'));

describe('Polygraphy RunResults JSON', () => {
  it('reads both runners of `polygraphy run --trt --onnxrt --save-results`', () => {
    const runners = parsePolygraphyRunResults(read('polygraphy-run-results.json'));
    expect(runners.map((r) => r.name)).toEqual(['onnxrt-runner-N0-11/30/26-01:40:00', 'trt-runner-N0-11/30/26-01:40:00']);
    const trt = runners[1].iterations[0];
    expect(trt.runtime).toBe(0.0004);
    expect([...trt.outputs.keys()]).toEqual(['logits', 'q_out']);
    expect(trt.outputs.get('logits')!.data).toEqual(logits().data);
    const q = trt.outputs.get('q_out')!;
    expect(q.dtype).toBe(DataType.INT8);
    expect([...q.data as Int8Array]).toEqual([-128, -1, 0, 127]);
  });

  it('reads the legacy type markers of older Polygraphy', () => {
    const [r] = parsePolygraphyRunResults(read('polygraphy-run-results-legacy.json'));
    expect(r.name).toBe('trt-runner-N0-1/1/22-00:00:00');
    expect(r.iterations[0].outputs.get('logits')!.data).toEqual(logits().data);
  });

  it('round-trips through the writer', () => {
    const runners = parsePolygraphyRunResults(read('polygraphy-run-results.json'));
    const again = parsePolygraphyRunResults(writePolygraphyRunResults(runners));
    expect(again).toEqual(runners);
  });

  it('reads --save-inputs feeds, equal to the raw --loadInputs file', () => {
    const [feed] = parsePolygraphyInputs(read('polygraphy-inputs.json'));
    const x = feed.get('input')!;
    expect(x.dims).toEqual([1, 3, 4, 4]);
    const raw = decodeRawTensor(new Uint8Array(readFileSync(join(FIX, 'input.bin'))), DataType.FLOAT, [1, 3, 4, 4], 'input.bin');
    expect(raw.data).toEqual(x.data);
  });

  it('says what it expected when given another file', () => {
    expect(() => parsePolygraphyRunResults(read('trtexec-outputs.json'), 'o.json')).toThrow(/o.json: not a Polygraphy RunResults file/);
    expect(() => parsePolygraphyRunResults('{"lst": [["r", [{"outputs": {}, "polygraphy_class": "Nope"}]]], "polygraphy_class": "RunResults"}', 'p.json'))
      .toThrow(/p.json: runner "r" iteration 0: expected an IterationResult/);
  });
});

describe('.npy bytes (numpy-written files)', () => {
  it('decodes numpy output and re-encodes it byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(join(FIX, 'expected-logits.npy')));
    const t = decodeNpy(bytes);
    expect(t.dims).toEqual([1, 10]);
    expect(encodeNpy(t)).toEqual(bytes);
  });
});
