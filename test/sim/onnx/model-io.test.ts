import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder, attr } from '../../../src/sim/ir/builder.ts';
import type { Model } from '../../../src/sim/ir/graph.ts';
import { decodeModel, encodeModel, loadModel, saveModel } from '../../../src/sim/onnx/model-io.ts';
import { type Tensor, makeTensor, storageFor } from '../../../src/sim/tensor.ts';

const { onnx } = onnxProto;
const dir = mkdtempSync(join(tmpdir(), 'qdqsim-model-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every dtype the tensor module stores, with a few distinct element values each. */
const DTYPES = Object.values(DataType).filter((v): v is DataType => typeof v === 'number')
  .filter((d) => d !== DataType.UNDEFINED && d !== DataType.COMPLEX64 && d !== DataType.COMPLEX128);

function sampleTensor(dtype: DataType, dims: number[]): Tensor {
  const t = makeTensor(dtype, dims, storageFor(dtype, dims.reduce((a, b) => a * b, 1)));
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (Array.isArray(d)) d[i] = `s${i}é`;
    else if (d instanceof BigInt64Array) d[i] = BigInt(i) * -1234567890123n;
    else if (d instanceof BigUint64Array) d[i] = BigInt(i) * 1234567890123n + 2n ** 63n;
    else if (dtype === DataType.BOOL) (d as Uint8Array)[i] = i % 2;
    else if (dtype === DataType.INT4) (d as Int8Array)[i] = (i % 16) - 8;
    else if (dtype === DataType.UINT4) (d as Uint8Array)[i] = i % 16;
    else if (dtype === DataType.INT2) (d as Int8Array)[i] = (i % 4) - 2;
    else if (dtype === DataType.UINT2) (d as Uint8Array)[i] = i % 4;
    else if (dtype === DataType.FLOAT4E2M1) (d as Uint8Array)[i] = i % 16;
    else if (d instanceof Float32Array || d instanceof Float64Array) d[i] = (i - 2.5) * 0.1;
    else (d as Uint8Array)[i] = (i * 37 + 3) % 120;
  }
  return t;
}

/** Tensors compare by bytes so float payloads (incl. NaN codes) must match bit for bit. */
function bytesOf(t: Tensor): unknown {
  if (Array.isArray(t.data)) return t.data;
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');
}
function normalized(m: Model): unknown {
  const g = (graph: Model['graph']): unknown => ({
    ...graph,
    nodes: graph.nodes.map((n) => ({
      ...n,
      attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, a]) => [k,
        a.type === 'tensor' ? { ...a, value: { ...a.value, data: bytesOf(a.value) } }
          : a.type === 'graph' ? { ...a, value: g(a.value) } : a])),
    })),
    initializers: [...graph.initializers].map(([k, t]) => [k, t.dtype, t.dims, bytesOf(t)]),
    valueInfo: [...graph.valueInfo],
  });
  return { ...m, graph: g(m.graph) };
}

function everythingModel(): Model {
  const sub = new GraphBuilder('then_branch', { strict: false });
  sub.output(sub.op('Identity', ['outer_x'], {}, { name: 'inner_identity' }), DataType.FLOAT, [2]);
  const b = new GraphBuilder('everything');
  const x = b.input('x', DataType.FLOAT, [1, 'N', null, 4]);
  for (const dt of DTYPES) b.initializer(`init_${DataType[dt]}`, sampleTensor(dt, [2, 3]));
  b.initializer('scalar_f32', sampleTensor(DataType.FLOAT, []));
  b.initializer('empty_i8', sampleTensor(DataType.INT8, [0, 3]));
  const y = b.op('AllAttributes', [x, '', 'init_INT64'], {
    an_int: -7, big_int: attr.int(2 ** 52 + 1), a_float: attr.float(0.1), a_string: 'héllo',
    ints: [1, -2, 3], floats: [0.5, -1.25], strings: ['a', '', 'ç'], empty_ints: attr.ints([]),
    a_tensor: sampleTensor(DataType.FLOAT16, [3]), a_graph: sub.build(),
  }, { domain: 'test.domain', docString: 'a node doc' });
  b.valueInfo(y, DataType.FLOAT, [1, 'N', 3, 4]);
  b.output(y, DataType.FLOAT);
  const m = b.model({ opset: 17, producerName: 'qdqsim-test', producerVersion: '1.2', docString: 'model doc', metadata: { k: 'v', empty: '' } });
  m.domain = 'test.models';
  m.modelVersion = 42;
  m.graph.docString = 'graph doc';
  return m;
}

describe('model-io round trip', () => {
  it('load -> save -> load is lossless for every attribute type and every dtype', () => {
    const m = everythingModel();
    const p = join(dir, 'everything.onnx');
    saveModel(m, p);
    const a = loadModel(p);
    expect(normalized(a)).toEqual(normalized(m));
    const p2 = join(dir, 'everything2.onnx');
    saveModel(a, p2);
    expect(Buffer.from(readFileSync(p2)).equals(readFileSync(p))).toBe(true);
    expect(normalized(loadModel(p2))).toEqual(normalized(m));
  });

  it('keeps typed-field tensors (float_data, int32_data, int64_data, string_data) as values', () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ version: 13 }],
      graph: {
        name: 'g', node: [{ opType: 'Identity', input: ['a'], output: ['y'] }],
        initializer: [
          { name: 'a', dataType: DataType.FLOAT, dims: [2], floatData: [1.5, -2] },
          { name: 'h', dataType: DataType.FLOAT16, dims: [1], int32Data: [0x3c00] },
          { name: 'l', dataType: DataType.INT64, dims: [2], int64Data: [-1, 9007199254740993] },
        ],
        output: [{ name: 'y', type: { tensorType: { elemType: DataType.FLOAT } } }],
        valueInfo: [{ name: 'untyped' }],
      },
    }).finish();
    const m = decodeModel(bytes);
    expect(m.graph.valueInfo.get('untyped')).toEqual({ name: 'untyped', dtype: DataType.UNDEFINED });
    expect(onnx.ModelProto.decode(encodeModel(m)).graph!.valueInfo![0].type).toBeNull();
    expect([...(m.graph.initializers.get('a')!.data as Float32Array)]).toEqual([1.5, -2]);
    expect([...(m.graph.initializers.get('h')!.data as Uint16Array)]).toEqual([0x3c00]);
    expect(m.graph.initializers.get('l')!.data).toEqual(new BigInt64Array([-1n, 9007199254740992n]));
    expect(normalized(decodeModel(encodeModel(m)))).toEqual(normalized(m));
  });
});

describe('real ONNX files', () => {
  // the official ONNX node-test models (IR 5-13, opsets 10-25, float8/int4/int2/float4 tensors)
  const root = 'test/fixtures/onnx-node-tests';
  const files = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'model.onnx'))) : [];

  it('loads every node-test model and round-trips it losslessly', () => {
    expect(files.length).toBeGreaterThan(40);
    for (const d of files) {
      const m = loadModel(join(root, d, 'model.onnx'));
      expect(m.graph.nodes.length, d).toBeGreaterThan(0);
      const bytes = encodeModel(m);
      const again = decodeModel(bytes);
      expect(normalized(again), d).toEqual(normalized(m));
      expect(Buffer.from(encodeModel(again)).equals(Buffer.from(bytes)), d).toBe(true);
    }
  });
});

describe('node naming', () => {
  it('names anonymous nodes <OpType>_<index> without taking explicit names', () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ version: 13 }],
      graph: {
        name: 'g',
        node: [
          { opType: 'Relu', input: ['x'], output: ['a'] },
          { opType: 'Relu', input: ['a'], output: ['b'], name: 'Relu_2' },
          { opType: 'Relu', input: ['b'], output: ['c'] },
          { opType: 'Relu', input: ['c'], output: ['d'], name: 'dup' },
          { opType: 'Relu', input: ['d'], output: ['e'], name: 'dup' },
        ],
        input: [{ name: 'x', type: { tensorType: { elemType: 1 } } }],
        output: [{ name: 'e', type: { tensorType: { elemType: 1 } } }],
      },
    }).finish();
    const names = decodeModel(bytes).graph.nodes.map((n) => n.name);
    expect(names).toEqual(['Relu_0', 'Relu_2', 'Relu_2_1', 'dup', 'dup_1']);
    const again = decodeModel(encodeModel(decodeModel(bytes))).graph.nodes.map((n) => n.name);
    expect(again).toEqual(names);
  });
});

function convModel(channels = 3): Model {
  const b = new GraphBuilder('conv');
  const x = b.input('x', DataType.FLOAT, [1, 2, 4, 4]);
  const w = b.initializer('w', sampleTensor(DataType.FLOAT, [channels, 2, 3, 3]));
  const bias = b.initializer('bias', sampleTensor(DataType.FLOAT, [channels]));
  b.output(b.op('Relu', [b.op('Conv', [x, w, bias], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] })]), DataType.FLOAT, [1, channels, 4, 4]);
  return b.model();
}

async function runOrt(path: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path);
  const x = new ort.Tensor('float32', Float32Array.from({ length: 32 }, (_, i) => (i % 7) - 3), [1, 2, 4, 4]);
  const r = await s.run({ x });
  await s.release();
  return r[s.outputNames[0]].data as Float32Array;
}

describe('external data', () => {
  it('moves initializers over the threshold to <model>.data and reads them back; ORT loads it', async () => {
    const sub = join(dir, 'ext');
    mkdirSync(sub);
    const m = convModel();
    const inline = join(sub, 'inline.onnx');
    saveModel(m, inline);
    const p = join(sub, 'model.onnx');
    saveModel(m, p, { externalDataThreshold: 64 });
    expect(existsSync(join(sub, 'model.onnx.data'))).toBe(true);
    const mp = onnx.ModelProto.decode(readFileSync(p));
    const w = mp.graph!.initializer!.find((t) => t.name === 'w')!;
    expect(w.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(mp.graph!.initializer!.find((t) => t.name === 'bias')!.dataLocation).toBe(0);
    expect(normalized(loadModel(p))).toEqual(normalized(m));
    expect(await runOrt(p)).toEqual(await runOrt(inline));
  });

  it('goes external automatically when the model would exceed the protobuf limit', () => {
    const sub = join(dir, 'auto');
    mkdirSync(sub);
    const p = join(sub, 'big.onnx');
    saveModel(convModel(64), p, { maxProtoBytes: 4000 });
    expect(existsSync(join(sub, 'big.onnx.data'))).toBe(true);
    expect(readFileSync(p).length).toBeLessThan(4000);
    expect(normalized(loadModel(p))).toEqual(normalized(convModel(64)));
    expect(() => encodeModel(convModel(64), { maxProtoBytes: 4000 })).toThrow(/protobuf limit.*external data/);
  });

  function modelWithRef(folder: string, entries: Record<string, string>): string {
    mkdirSync(folder, { recursive: true });
    const bytes = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ version: 13 }],
      graph: {
        name: 'g', node: [{ opType: 'Identity', input: ['w'], output: ['y'] }],
        initializer: [{
          name: 'w', dataType: DataType.FLOAT, dims: [2], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: Object.entries(entries).map(([key, value]) => ({ key, value })),
        }],
        output: [{ name: 'y', type: { tensorType: { elemType: DataType.FLOAT } } }],
      },
    }).finish();
    const p = join(folder, 'm.onnx');
    writeFileSync(p, bytes);
    return p;
  }

  it('reads offset/length ranges and refuses ranges outside the file', () => {
    const f = join(dir, 'ranges');
    mkdirSync(f);
    writeFileSync(join(f, 'w.bin'), Buffer.from(new Float32Array([9, 1.5, -2, 7]).buffer));
    const ok = modelWithRef(join(f, 'ok'), { location: '../w.bin' });
    expect(() => loadModel(ok)).toThrow(/m\.onnx: .*tensor 'w'.*contains '\.\.'/);
    writeFileSync(join(f, 'ok', 'w.bin'), readFileSync(join(f, 'w.bin')));
    const good = modelWithRef(join(f, 'ok2'), { location: 'w.bin', offset: '4', length: '8' });
    writeFileSync(join(f, 'ok2', 'w.bin'), readFileSync(join(f, 'w.bin')));
    expect([...(loadModel(good).graph.initializers.get('w')!.data as Float32Array)]).toEqual([1.5, -2]);
    const past = modelWithRef(join(f, 'past'), { location: 'w.bin', offset: '12', length: '8' });
    writeFileSync(join(f, 'past', 'w.bin'), readFileSync(join(f, 'w.bin')));
    expect(() => loadModel(past)).toThrow(/past\/m\.onnx: .*runs past the end of 'w\.bin' \(16 bytes\)/);
    const off = modelWithRef(join(f, 'off'), { location: 'w.bin', offset: '17' });
    writeFileSync(join(f, 'off', 'w.bin'), readFileSync(join(f, 'w.bin')));
    expect(() => loadModel(off)).toThrow(/offset 17 is past the end/);
    const short = modelWithRef(join(f, 'short'), { location: 'w.bin', offset: '4', length: '4' });
    writeFileSync(join(f, 'short', 'w.bin'), readFileSync(join(f, 'w.bin')));
    expect(() => loadModel(short)).toThrow(/tensor 'w'.*raw_data has 4 bytes/);
  });

  it('refuses absolute paths, .. escapes, symlinks leaving the folder and missing files', () => {
    const f = join(dir, 'refuse');
    writeFileSync(join(dir, 'secret.bin'), Buffer.alloc(8));
    for (const [loc, re] of [
      ['/etc/passwd', /absolute/], ['C:\\Windows\\x.bin', /absolute/], ['\\\\server\\share\\x', /absolute/],
      ['a/../../secret.bin', /contains '\.\.'/], ['..\\secret.bin', /contains '\.\.'/], ['nothere.bin', /not found/],
    ] as const) {
      const p = modelWithRef(join(f, String(loc.length) + loc.replace(/[^a-z]/gi, '')), { location: loc });
      expect(() => loadModel(p), loc).toThrow(re);
    }
    const linked = join(f, 'link');
    const p = modelWithRef(linked, { location: 'escape.bin' });
    symlinkSync(join(dir, 'secret.bin'), join(linked, 'escape.bin'));
    expect(() => loadModel(p)).toThrow(/resolves outside the model's folder/);
    expect(() => decodeModel(readFileSync(p))).toThrow(/<bytes>: .*without a base directory/);
  });
});

describe('bad files', () => {
  it('names the file for truncated and corrupt protobuf', () => {
    const p = join(dir, 'conv.onnx');
    saveModel(convModel(), p);
    const bytes = readFileSync(p);
    const cut = join(dir, 'truncated.onnx');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    expect(() => loadModel(cut)).toThrow(/truncated\.onnx: .*(truncated or corrupt|tensor)/);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, Buffer.from('this is not a model at all'));
    expect(() => loadModel(junk)).toThrow(/junk\.onnx: /);
    expect(() => loadModel(join(dir, 'missing.onnx'))).toThrow(/missing\.onnx: cannot read model file: ENOENT/);
    expect(() => decodeModel(new Uint8Array(0))).toThrow(/<bytes>: has no graph/);
  });

  it('seeded truncations and byte flips give errors naming the file, never crashes or hangs', () => {
    const bytes = encodeModel(everythingModel());
    let seed = 20261130;
    const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 300; trial++) {
      const b = Uint8Array.from(bytes.subarray(0, trial % 2 ? bytes.length : Math.floor(rand() * bytes.length)));
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        decodeModel(b, { path: 'fuzz.onnx' });
      } catch (e) {
        if (!(e as Error).message.startsWith('fuzz.onnx: ')) throw new Error(`seed 20261130 trial ${trial}: ${(e as Error).message}`);
      }
    }
  });
});

describe('onnxruntime-node', () => {
  it('runs a saved builder model', async () => {
    const p = join(dir, 'ort.onnx');
    saveModel(convModel(), p);
    const out = await runOrt(p);
    expect(out.length).toBe(48);
    expect(out.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
});
