/**
 * End to end on a zoo model (ResNet-18, pytorch-quantization placement with residual quantizers,
 * 32x32 to keep CI fast): recordings from onnxruntime stand in for a GPU box, the real TensorRT layer
 * list of the same architecture (ground truth) rides along, and planted disagreements must be caught
 * at the engine layer where they were planted.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantizeModel } from '../../../src/quant/index.ts';
import type { Model } from '../../../src/sim/ir/graph.ts';
import { buildZooModel } from '../../../src/sim/zoo/index.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';
import { artifactsBackend } from '../../../src/trt/validation/backends/artifacts.ts';
import { ortBackend, runOrt } from '../../../src/trt/validation/backends/ort.ts';
import { compareModel, type CompareReport } from '../../../src/trt/validation/compare.ts';
import { engineSupport } from '../../../src/trt/validation/exec/predict.ts';
import { boundaryTensors } from '../../../src/trt/validation/exec/engine-plan.ts';
import { encodeNpy } from '../../../src/sim/io/npy.ts';
import { writeTrtexecOutputs } from '../../../src/trt/validation/formats/trtexec-output.ts';
import { randomFeed } from '../../../src/trt/validation/inputs.ts';
import { DEFAULT_COMPARE_OPTIONS } from '../../../src/trt/validation/metrics/compare-tensors.ts';
import { saveTemp } from './models.ts';

const GT = 'test/fixtures/validation/gt';
const model = quantizeModel(buildZooModel('resnet18', { size: 32, classes: 10 }), { preset: 'pytorch-quantization', quantizeResidual: true }).model;
const modelPath = saveTemp(model);
const input = model.graph.inputs[0];
const feeds = new Map([[input.name, randomFeed(input, 5)]]);

/** `model` with one initializer changed (a planted disagreement). */
function withInitializer(name: string, edit: (v: Float32Array) => void): Model {
  const t = model.graph.initializers.get(name)!;
  const data = (t.data as Float32Array).slice();
  edit(data);
  const inits = new Map(model.graph.initializers);
  inits.set(name, makeTensor(t.dtype, t.dims, data));
  return { ...model, graph: { ...model.graph, initializers: inits } };
}

/** Records `m` (with its engine-layer boundaries) through onnxruntime's float simulation into an artifacts folder. */
async function recordArtifacts(m: Model, marks: string[]): Promise<string> {
  const r = await runOrt({ modelPath: saveTemp(m), model: m, feeds, markTensors: marks }, { graphOptimizationLevel: 'disabled' });
  const dir = mkdtempSync(join(tmpdir(), 'qdqsim-zoo-'));
  writeFileSync(join(dir, 'outputs.json'), writeTrtexecOutputs([...r.outputs].map(([name, tensor]) => ({ name, tensor }))));
  copyFileSync(join(GT, 'resnet-qat-residual.onnx.engine.graph.json'), join(dir, 'layers.json'));
  copyFileSync(join(GT, 'resnet-qat-residual.onnx.engine.profile.json'), join(dir, 'profile.json'));
  mkdirSync(join(dir, 'inputs'));
  writeFileSync(join(dir, 'inputs', 'input.1.npy'), encodeNpy(feeds.get(input.name)!));
  return dir;
}

async function compareWith(backend: ReturnType<typeof ortBackend>): Promise<CompareReport> {
  const support = await engineSupport(model, { precision: 'best' });
  return compareModel({
    modelPath, model, feeds, feedSources: new Map(), backend, reference: 'engine-sim', options: DEFAULT_COMPARE_OPTIONS,
    plan: support.plan, engineSim: support.engineSim, diffLayers: support.diffLayers,
  });
}

const plan = (await engineSupport(model, { precision: 'best' })).plan!;
// boundaries that are ONNX tensors (the simulator's own renamed tensors have no ONNX counterpart)
const produced = new Set(model.graph.nodes.flatMap((n) => n.outputs));
const marks = boundaryTensors(plan).map((t) => t.name).filter((n) => produced.has(n));
const firstFailure = (r: CompareReport) => r.boundaries.find((b) => !b.pass)?.name;

describe('zoo ResNet-18: compare end to end', () => {
  it('a recording of the same model passes against the simulated engine; the report carries the real layer list diff and profile', async () => {
    const r = await compareWith(artifactsBackend(await recordArtifacts(model, marks)));
    expect(r.verdict.pass, r.verdict.line).toBe(true);
    expect(r.boundaries.length).toBe(marks.length);
    expect(r.engine.diff?.summary).toMatch(/^match: 26\/26 layers/);
    expect(r.engine.profile?.[0].name).toBe('QuantizeLinear_2');
    // engine vs Q/DQ float simulation: identical int8 codes at every INT8 boundary; the FP16 tail explains the rest
    const int8Rows = r.threeWay.filter((t) => t.kind === 'boundary' && t.step?.unit === 'code');
    expect(int8Rows.length).toBeGreaterThan(15);
    for (const t of int8Rows) expect(t.qdqVsEngine, t.tensor).toBeLessThanOrEqual(1);
    const out = r.threeWay.find((t) => t.kind === 'output')!;
    expect(out.qdqVsEngine!).toBeLessThan(1);
    expect(out.floatVsQdq!).toBeGreaterThan(out.qdqVsEngine!);
  });

  it('a corrupted weight is caught at the engine layer that holds it', async () => {
    const bad = withInitializer('layer1.0.conv1.weight', (w) => { for (let i = 0; i < 27; i++) w[i] *= -8; });
    const r = await compareWith(artifactsBackend(await recordArtifacts(bad, marks)));
    expect(r.verdict.pass).toBe(false);
    // layer1.0.conv1 (Conv_3) writes Conv_5's input
    expect(firstFailure(r)).toBe('Conv_5_input0_quantized');
    expect(r.firstDivergence).toMatchObject({ tensor: 'Conv_5_input0_quantized', layer: 'layer1.0.conv1.weight + Conv_3_weight_QuantizeLinear + Conv_3' });
  });

  it('a wrong activation scale is caught at the tensor it quantizes', async () => {
    const bad = withInitializer('Conv_8_input0_scale', (s) => { s[0] *= 1.5; });
    const r = await compareWith(artifactsBackend(await recordArtifacts(bad, marks)));
    expect(r.verdict.pass).toBe(false);
    expect(firstFailure(r)).toBe('Conv_8_input0_quantized');
  });

  it('onnxruntime with its default optimizations records every boundary; the three-way table locates where it departs', async () => {
    const r = await compareWith(ortBackend());
    expect(r.boundaries.length).toBe(marks.length);
    expect(r.boundariesNotRecorded).toEqual([]);
    expect(r.backend.notes.join(' ')).toMatch(/graph optimization 'all'/);
  });
});
