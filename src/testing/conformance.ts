/**
 * Runs ONNX backend node-test folders (model.onnx + test_data_set_N/input_i.pb, output_j.pb) and
 * compares every output bit for bit.
 *
 * Engines: 'interp' executes the whole model with the reference interpreter (src/sim/interp);
 * 'direct' dispatches a single-node model to the golden ONNX-semantics functions
 * (src/sim/golden/onnx-ops) without the interpreter — `_expanded` tests (function bodies of several
 * nodes) need 'interp'. 'auto' (default) uses the interpreter and falls back to 'direct' when the
 * interpreter cannot be loaded.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataType, dataTypeName } from '../sim/data-type.ts';
import type { Attribute, Model, Node } from '../sim/ir/graph.ts';
import { loadModel } from '../sim/onnx/model-io.ts';
import { readTensorProtoFile } from '../sim/onnx/tensor-proto.ts';
import type { Tensor } from '../sim/tensor.ts';
import * as ops from '../sim/golden/onnx-ops/index.ts';
import type { OnnxOpOptions } from '../sim/golden/onnx-ops/common.ts';

export type ConformanceEngine = 'auto' | 'interp' | 'direct';

export interface ConformanceResult {
  name: string;
  dir: string;
  passed: boolean;
  /** 'interp' or 'direct': what actually ran */
  engine: 'interp' | 'direct' | 'none';
  /** one line: what differed, or why the test could not run */
  detail: string;
}

/** A path is a node-test folder (has model.onnx) or a folder of them. Sorted, de-duplicated. */
export function findNodeTestDirs(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`${p}: no such file or directory`);
    if (!statSync(p).isDirectory()) throw new Error(`${p}: not a directory`);
    if (existsSync(join(p, 'model.onnx'))) { out.add(p); continue; }
    const kids = readdirSync(p).filter((d) => existsSync(join(p, d, 'model.onnx'))).map((d) => join(p, d));
    if (kids.length === 0) throw new Error(`${p}: neither a node-test folder (model.onnx) nor a folder of them`);
    kids.forEach((k) => out.add(k));
  }
  return [...out].sort();
}

type RunModel = (model: Model, feeds: Record<string, Tensor>) => { outputs: Record<string, Tensor> };
let interpCache: RunModel | null | undefined;

/** The interpreter's runModel, or null (with the reason) when it cannot be loaded. */
export async function loadInterpreter(): Promise<{ run: RunModel | null; reason?: string }> {
  if (interpCache !== undefined) return { run: interpCache, reason: interpCache ? undefined : 'interpreter unavailable' };
  try {
    const mod = (await import('../sim/interp/run-model.ts')) as { runModel?: RunModel };
    interpCache = typeof mod.runModel === 'function' ? mod.runModel : null;
    return { run: interpCache, reason: interpCache ? undefined : 'src/sim/interp/run-model.ts has no runModel' };
  } catch (e) {
    interpCache = null;
    return { run: null, reason: `cannot load the interpreter: ${(e as Error).message}` };
  }
}

function attrNum(n: Node, name: string): number | undefined {
  const a: Attribute | undefined = n.attrs[name];
  if (!a) return undefined;
  if (a.type !== 'int' && a.type !== 'float') throw new Error(`node '${n.name}': attribute '${name}' must be a number`);
  return a.value;
}
function attrInts(n: Node, name: string): number[] | undefined {
  const a = n.attrs[name];
  if (!a) return undefined;
  if (a.type !== 'ints') throw new Error(`node '${n.name}': attribute '${name}' must be a list of ints`);
  return a.value;
}
function attrStr(n: Node, name: string): string | undefined {
  const a = n.attrs[name];
  if (!a) return undefined;
  if (a.type !== 'string') throw new Error(`node '${n.name}': attribute '${name}' must be a string`);
  return a.value;
}

/** Runs one node through the golden onnx-ops (the 'direct' engine). */
export function runQuantNode(node: Node, inputs: (Tensor | undefined)[], opts: OnnxOpOptions = {}): Tensor[] {
  const o = { ...opts, node: node.name };
  const need = (i: number, name: string): Tensor => {
    const t = inputs[i];
    if (!t) throw new Error(`${node.opType} '${node.name}': required input ${i} ('${name}') is missing`);
    return t;
  };
  const conv = () => ({
    auto_pad: attrStr(node, 'auto_pad'), dilations: attrInts(node, 'dilations'), group: attrNum(node, 'group'),
    kernel_shape: attrInts(node, 'kernel_shape'), pads: attrInts(node, 'pads'), strides: attrInts(node, 'strides'),
  });
  switch (node.opType) {
    case 'QuantizeLinear':
      return [ops.quantizeLinear(need(0, 'x'), need(1, 'y_scale'), inputs[2], {
        axis: attrNum(node, 'axis'), saturate: attrNum(node, 'saturate'), blockSize: attrNum(node, 'block_size'),
        outputDtype: attrNum(node, 'output_dtype'), precision: attrNum(node, 'precision'),
      }, o)];
    case 'DequantizeLinear':
      return [ops.dequantizeLinear(need(0, 'x'), need(1, 'x_scale'), inputs[2], {
        axis: attrNum(node, 'axis'), blockSize: attrNum(node, 'block_size'), outputDtype: attrNum(node, 'output_dtype'),
      }, o)];
    case 'DynamicQuantizeLinear': return ops.dynamicQuantizeLinear(need(0, 'x'), o);
    case 'MatMulInteger': return [ops.matmulInteger(need(0, 'A'), need(1, 'B'), inputs[2], inputs[3], o)];
    case 'ConvInteger': return [ops.convInteger(need(0, 'x'), need(1, 'w'), inputs[2], inputs[3], conv(), o)];
    case 'QLinearMatMul':
      return [ops.qlinearMatMul(need(0, 'a'), need(1, 'a_scale'), need(2, 'a_zero_point'), need(3, 'b'), need(4, 'b_scale'),
        need(5, 'b_zero_point'), need(6, 'y_scale'), need(7, 'y_zero_point'), o)];
    case 'QLinearConv':
      return [ops.qlinearConv(need(0, 'x'), need(1, 'x_scale'), need(2, 'x_zero_point'), need(3, 'w'), need(4, 'w_scale'),
        need(5, 'w_zero_point'), need(6, 'y_scale'), need(7, 'y_zero_point'), inputs[8], conv(), o)];
    default:
      throw new Error(`${node.opType} '${node.name}' is not a quantization operator the direct engine knows`);
  }
}

function runDirect(model: Model, feeds: Record<string, Tensor>, opts: OnnxOpOptions): Record<string, Tensor> {
  const g = model.graph;
  if (g.nodes.length !== 1) throw new Error(`the direct engine runs single-node models; this graph has ${g.nodes.length} nodes (needs the interpreter)`);
  const node = g.nodes[0];
  if (node.domain !== '' && node.domain !== 'ai.onnx') throw new Error(`node domain '${node.domain}' is not ai.onnx`);
  const values = new Map<string, Tensor>([...g.initializers, ...Object.entries(feeds)]);
  const inputs = node.inputs.map((n) => {
    if (n === '') return undefined;
    const t = values.get(n);
    if (!t) throw new Error(`input '${n}' of node '${node.name}' is neither fed nor an initializer`);
    return t;
  });
  const outs = runQuantNode(node, inputs, opts);
  const res: Record<string, Tensor> = {};
  node.outputs.forEach((n, i) => { if (n !== '') res[n] = outs[i]; });
  return res;
}

/** Bit-exact comparison; returns '' when equal, else one line saying where they differ. */
export function compareTensors(got: Tensor, want: Tensor): string {
  if (got.dtype !== want.dtype) return `dtype ${dataTypeName(got.dtype)}, expected ${dataTypeName(want.dtype)}`;
  if (got.dims.length !== want.dims.length || got.dims.some((d, i) => d !== want.dims[i])) {
    return `dims [${got.dims.join(',')}], expected [${want.dims.join(',')}]`;
  }
  const a = got.data, b = want.data;
  if (a.length !== b.length) return `${a.length} elements, expected ${b.length}`;
  const bitsA = a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : a instanceof Float64Array ? new BigUint64Array(a.buffer, a.byteOffset, a.length) : a;
  const bitsB = b instanceof Float32Array ? new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
    : b instanceof Float64Array ? new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) : b;
  let diffs = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    const x = bitsA[i], y = bitsB[i];
    const same = x === y || (a instanceof Float32Array && Number.isNaN(a[i]) && Number.isNaN(b[i] as number));
    if (!same) { diffs++; if (first < 0) first = i; }
  }
  if (diffs === 0) return '';
  return `${diffs}/${a.length} elements differ; first at flat index ${first}: got ${String(a[first])}, expected ${String(b[first])}`;
}

export interface RunNodeTestOptions {
  engine?: ConformanceEngine;
  /** Arithmetic for the direct engine (default: the spec). */
  opOptions?: OnnxOpOptions;
}

/** Runs every test_data_set_* of one node-test folder. */
export async function runNodeTest(dir: string, opts: RunNodeTestOptions = {}): Promise<ConformanceResult> {
  const name = basename(dir);
  const fail = (engine: ConformanceResult['engine'], detail: string): ConformanceResult => ({ name, dir, passed: false, engine, detail });
  let model: Model;
  try { model = loadModel(join(dir, 'model.onnx')); } catch (e) { return fail('none', `cannot load model.onnx: ${(e as Error).message}`); }
  const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_') && statSync(join(dir, d)).isDirectory()).sort();
  if (sets.length === 0) return fail('none', 'no test_data_set_* folder');
  const want = opts.engine ?? 'auto';
  let engine: 'interp' | 'direct' = 'direct';
  let run: RunModel | null = null;
  if (want !== 'direct') {
    const r = await loadInterpreter();
    if (r.run) { run = r.run; engine = 'interp'; } else if (want === 'interp') return fail('none', r.reason ?? 'interpreter unavailable');
  }
  const g = model.graph;
  const feedNames = g.inputs.map((v) => v.name).filter((n) => !g.initializers.has(n));
  for (const set of sets) {
    const sd = join(dir, set);
    const files = readdirSync(sd);
    const feeds: Record<string, Tensor> = {};
    try {
      const nIn = files.filter((f) => /^input_\d+\.pb$/.test(f)).length;
      if (nIn !== feedNames.length) return fail(engine, `${set}: ${nIn} input files for ${feedNames.length} graph inputs`);
      feedNames.forEach((n, i) => { feeds[n] = readTensorProtoFile(join(sd, `input_${i}.pb`)); });
    } catch (e) { return fail(engine, `${set}: bad input: ${(e as Error).message}`); }
    let got: Record<string, Tensor>;
    try {
      got = engine === 'interp' && run ? run(model, feeds).outputs : runDirect(model, feeds, opts.opOptions ?? {});
    } catch (e) { return fail(engine, `${set}: ${(e as Error).message}`); }
    const nOut = files.filter((f) => /^output_\d+\.pb$/.test(f)).length;
    if (nOut !== g.outputs.length) return fail(engine, `${set}: ${nOut} output files for ${g.outputs.length} graph outputs`);
    for (let j = 0; j < g.outputs.length; j++) {
      const on = g.outputs[j].name;
      let expected: Tensor;
      try { expected = readTensorProtoFile(join(sd, `output_${j}.pb`)); } catch (e) { return fail(engine, `${set}: bad expected output: ${(e as Error).message}`); }
      const t = got[on];
      if (!t) return fail(engine, `${set}: output '${on}' was not produced`);
      const d = compareTensors(t, expected);
      if (d) return fail(engine, `${set}: output '${on}': ${d}`);
    }
  }
  return { name, dir, passed: true, engine, detail: `${sets.length} data set${sets.length > 1 ? 's' : ''}, ${g.outputs.length} output${g.outputs.length > 1 ? 's' : ''} bit-exact` };
}

export { DataType };
