import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { makeTensor, storageFor, type Tensor } from '../../../src/sim/tensor.ts';
import {
  decodeTensorProto, encodeTensorProto, readTensorProtoFile, tensorProtoFromBytes, tensorProtoToBytes,
} from '../../../src/sim/onnx/tensor-proto.ts';

const NODE_TESTS = join(import.meta.dirname, '../../fixtures/onnx-node-tests');

function sample(dtype: DataType, n: number): Tensor {
  const t = makeTensor(dtype, [n]);
  const d = t.data;
  for (let i = 0; i < n; i++) {
    if (d instanceof BigInt64Array) d[i] = BigInt(i * 1e12) - 3n;
    else if (d instanceof BigUint64Array) d[i] = 2n ** 63n + BigInt(i);
    else if (Array.isArray(d)) d[i] = `s${i}é`;
    else if (dtype === DataType.BOOL) d[i] = i & 1;
    else if (dtype === DataType.INT4) d[i] = (i % 16) - 8;
    else if (dtype === DataType.UINT4 || dtype === DataType.FLOAT4E2M1) d[i] = i % 16;
    else if (dtype === DataType.INT2) d[i] = (i % 4) - 2;
    else if (dtype === DataType.UINT2) d[i] = i % 4;
    else d[i] = (i * 37 + 1) * (d instanceof Float32Array || d instanceof Float64Array ? -0.37 : 1);
  }
  return t;
}

const ALL_TYPES = (Object.values(DataType).filter((v) => typeof v === 'number') as DataType[])
  .filter((t) => t !== DataType.UNDEFINED && t !== DataType.COMPLEX64 && t !== DataType.COMPLEX128);

describe('TensorProto codec', () => {
  it.each(ALL_TYPES.flatMap((t) => [[DataType[t], t, false], [DataType[t], t, true]] as const))(
    '%s round-trips (typed fields: %s)', (_name, dtype, typed) => {
      for (const n of [0, 1, 5, 8]) {
        const t = sample(dtype, n);
        const tp = encodeTensorProto(t, 'x', { typedFields: typed });
        const back = tensorProtoFromBytes(tensorProtoToBytes(tp));
        expect(back.dtype).toBe(dtype);
        expect(back.dims).toEqual([n]);
        expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
        expect(back.data.constructor).toBe(storageFor(dtype, 0).constructor);
      }
    });

  it('decodes int4 packed in int32_data, low nibble first', () => {
    const t = decodeTensorProto({ name: 'w', dataType: DataType.INT4, dims: [5], int32Data: [16, 199, 8] });
    expect(Array.from(t.data as Int8Array)).toEqual([0, 1, 7, -4, -8]);
  });

  it('treats a missing dims field as a scalar', () => {
    const t = decodeTensorProto({ name: 's', dataType: DataType.FLOAT, floatData: [2] });
    expect(t.dims).toEqual([]);
    expect(Array.from(t.data as Float32Array)).toEqual([2]);
  });

  it('names the tensor and the rule on size mismatches', () => {
    expect(() => decodeTensorProto({ name: 'w', dataType: DataType.FLOAT, dims: [3], rawData: new Uint8Array(8) }))
      .toThrow(/tensor 'w': raw_data has 8 bytes, dims \[3\] \(3 elements of FLOAT\) need 12/);
    expect(() => decodeTensorProto({ name: 'z', dataType: DataType.INT4, dims: [5], int32Data: [1, 2] }))
      .toThrow(/tensor 'z': int32_data \(packed bytes\) has 2 entries, dims \[5\] \(5 elements of INT4\) need 3/);
    expect(() => decodeTensorProto({ name: 'q', dataType: DataType.INT8, dims: [2] }))
      .toThrow(/tensor 'q': no data/);
    expect(() => decodeTensorProto({ name: 'u', dataType: 0, dims: [2] })).toThrow(/tensor 'u': data_type is UNDEFINED/);
    expect(() => decodeTensorProto({ name: 'u', dataType: 99, dims: [2] })).toThrow(/tensor 'u': unknown data_type 99/);
    expect(() => decodeTensorProto({ name: 'b', dataType: DataType.BOOL, dims: [1], int32Data: [2] })).toThrow(/BOOL element 0 is 2/);
    expect(() => decodeTensorProto({ name: 'n', dataType: DataType.FLOAT, dims: [-1] })).toThrow(/tensor 'n': invalid dimension -1/);
  });

  it('requires a loader for external data and uses it when given', () => {
    const tp = { name: 'big', dataType: DataType.INT8, dims: [2], dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] };
    expect(() => decodeTensorProto(tp)).toThrow(/tensor 'big': data is stored externally \(location 'w.bin'\)/);
    const t = decodeTensorProto(tp, { baseDir: '/m', loadExternal: (_tp, ctx) => { expect(ctx.baseDir).toBe('/m'); return new Uint8Array([1, 255]); } });
    expect(Array.from(t.data as Int8Array)).toEqual([1, -1]);
  });

  it('reads every node-test .pb file', () => {
    let files = 0;
    for (const d of readdirSync(NODE_TESTS).filter((x) => x.startsWith('test_'))) {
      const ds = join(NODE_TESTS, d, 'test_data_set_0');
      for (const f of readdirSync(ds)) {
        const t = readTensorProtoFile(join(ds, f));
        expect(t.data.length).toBe(t.dims.reduce((a, b) => a * b, 1));
        files++;
      }
    }
    expect(files).toBeGreaterThan(170);
    const y = readTensorProtoFile(join(NODE_TESTS, 'test_quantizelinear_uint2/test_data_set_0/output_0.pb'));
    expect(y.dtype).toBe(DataType.UINT2);
  });
});
