// Model load/save speed: qdqsim decode/encode (protobuf + conversion to the IR) vs the raw
// onnx-proto decode/encode alone and onnxruntime-node session creation from the same bytes.
// Run: npx tsx bench/model-io.ts
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel } from '../src/sim/onnx/model-io.ts';
import { buildZooModel } from '../src/sim/zoo/index.ts';

const { onnx } = onnxProto;

async function time(fn: () => unknown | Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const cases = [
  { label: 'resnet50_v1 (pytorch, 25.6M params)', model: buildZooModel('resnet50_v1') },
  { label: 'bert 12 layers (pytorch, 109M params)', model: buildZooModel('bert') },
];
console.log(`node ${process.version}, ${new Date().toISOString()}`);
for (const c of cases) {
  const bytes = encodeModel(c.model);
  const mb = (bytes.length / 1e6).toFixed(1);
  const decode = await time(() => decodeModel(bytes), 5);
  const rawDecode = await time(() => onnx.ModelProto.decode(bytes), 5);
  const encode = await time(() => encodeModel(c.model), 5);
  const rawEncode = await time(() => onnx.ModelProto.encode(onnx.ModelProto.decode(bytes)).finish(), 3);
  const ortCreate = await time(async () => (await ort.InferenceSession.create(bytes)).release(), 3);
  console.log(`${c.label}: ${mb} MB, ${c.model.graph.nodes.length} nodes`);
  console.log(`  decodeModel ${decode.toFixed(1)} ms (onnx-proto decode alone ${rawDecode.toFixed(1)} ms, ratio ${(decode / rawDecode).toFixed(2)})`);
  console.log(`  encodeModel ${encode.toFixed(1)} ms (onnx-proto decode+encode ${rawEncode.toFixed(1)} ms, ratio ${(encode / rawEncode).toFixed(2)})`);
  console.log(`  onnxruntime InferenceSession.create ${ortCreate.toFixed(1)} ms (decodeModel / ORT ${(decode / ortCreate).toFixed(2)})`);
}
