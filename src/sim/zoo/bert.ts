import { DataType } from '../data-type.ts';
import type { Model } from '../ir/graph.ts';
import { makeTensor } from '../tensor.ts';
import { ZooNet } from './net.ts';
import { type ZooOptions, resolveCommon } from './options.ts';
import { Rng } from './rng.ts';

const VOCAB = 30522;
const MAX_POSITIONS = 512;
const TYPE_VOCAB = 2;
const LN_EPS = 1e-12;

/**
 * A BERT-base style encoder (HuggingFace BertModel without pooler) as the legacy PyTorch exporter
 * writes it at opset 13: embeddings (three Gathers, two Adds, LayerNorm), then per layer
 * self-attention (MatMul+Add for Q/K/V, Reshape/Transpose into heads, MatMul, Div by sqrt(d),
 * Softmax, MatMul, Transpose/Reshape back, output MatMul+Add, residual Add, LayerNorm) and the
 * feed-forward block (MatMul+Add, erf GELU as Div/Erf/Add/Mul/Mul, MatMul+Add, residual Add,
 * LayerNorm). LayerNorm is decomposed (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)
 * since LayerNormalization is only an op from opset 17. No attention mask (every token attends).
 * tf2onnx style keeps the op structure and spells nodes as TF BERT scopes (`bert/encoder/layer_0/...`).
 */
export function bert(opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const layers = opts.layers ?? 12;
  const hidden = opts.hidden ?? 768;
  const heads = opts.heads ?? 12;
  const inter = opts.intermediate ?? 4 * hidden;
  const seq = opts.seqLen ?? 128;
  const embeddings = opts.embeddings ?? true;
  for (const [k, v] of Object.entries({ layers, hidden, heads, intermediate: inter, seqLen: seq })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`zoo: bert ${k} must be a positive integer, got ${v}`);
  }
  if (hidden % heads !== 0) throw new Error(`zoo: bert hidden size ${hidden} is not divisible by ${heads} heads`);
  if (seq > MAX_POSITIONS) throw new Error(`zoo: bert seqLen ${seq} exceeds the ${MAX_POSITIONS} position embeddings`);
  const dh = hidden / heads;
  const B = o.batch;
  const net = new ZooNet('bert', o, o.style === 'pytorch' ? 'torch_jit' : 'bert');
  const b = net.b;
  const rng = new Rng(o.seed);
  const tf = !net.pytorch;
  /** A parameter filled with normal(0, std) (`normal`) or uniform [lo, hi) (`uniform`) samples. */
  type Fill = { normal: number } | { uniform: [number, number] };
  const p = (torch: string, tfName: string, dims: number[], fill: Fill): string => {
    const data = new Float32Array(dims.reduce((a, c) => a * c, 1));
    const r = rng.fork(torch);
    if ('normal' in fill) r.fillNormal(data, fill.normal);
    else r.fillUniform(data, fill.uniform[0], fill.uniform[1]);
    return net.param(tf ? `bert/${tfName}:0` : torch, makeTensor(DataType.FLOAT, dims, data));
  };
  const scalar = (name: string, v: number): string => net.param(tf ? `bert/${name}:0` : `onnx::${name}`, makeTensor(DataType.FLOAT, [], new Float32Array([v])));
  const shape = (name: string, dims: number[]): string => net.param(tf ? `bert/${name}:0` : `onnx::Reshape_${name}`, makeTensor(DataType.INT64, [dims.length], BigInt64Array.from(dims.map(BigInt))));
  const e = (op: string, inputs: string[], attrs: Record<string, number | number[]>, tfNode: string): string => net.emit(op, inputs, attrs, tfNode);

  const sqrtHalf = scalar('const_sqrt2', Math.SQRT2);
  const one = scalar('const_one', 1);
  const half = scalar('const_half', 0.5);
  const two = scalar('const_two', 2);
  const eps = scalar('const_eps', LN_EPS);
  const scoreScale = scalar('const_sqrt_head_dim', Math.sqrt(dh));

  const layerNorm = (x: string, torch: string, scope: string): string => {
    const gamma = p(`${torch}.weight`, `${scope}/gamma`, [hidden], { uniform: [0.8, 1.2] });
    const beta = p(`${torch}.bias`, `${scope}/beta`, [hidden], { uniform: [-0.1, 0.1] });
    const mean = e('ReduceMean', [x], { axes: [-1] }, `${scope}/moments/mean`);
    const d = e('Sub', [x, mean], {}, `${scope}/sub`);
    const sq = e('Pow', [d, two], {}, `${scope}/moments/SquaredDifference`);
    const variance = e('ReduceMean', [sq], { axes: [-1] }, `${scope}/moments/variance`);
    const std = e('Sqrt', [e('Add', [variance, eps], {}, `${scope}/batchnorm/add`)], {}, `${scope}/batchnorm/Sqrt`);
    const norm = e('Div', [d, std], {}, `${scope}/batchnorm/truediv`);
    return e('Add', [e('Mul', [norm, gamma], {}, `${scope}/batchnorm/mul`), beta], {}, `${scope}/batchnorm/add_1`);
  };
  /** Linear: x @ W^T + b with W stored transposed [in, out] as the exporter writes MatMul weights. */
  const linear = (x: string, nIn: number, nOut: number, torch: string, scope: string, gain = 1): string => {
    const std = gain / Math.sqrt(nIn);
    const w = p(`onnx::MatMul_${torch}`, `${scope}/kernel`, [nIn, nOut], { normal: std });
    const bias = p(`${torch}.bias`, `${scope}/bias`, [nOut], { uniform: [-0.05, 0.05] });
    return e('Add', [e('MatMul', [x, w], {}, `${scope}/MatMul`), bias], {}, `${scope}/BiasAdd`);
  };

  let x: string;
  if (embeddings) {
    const ids = b.input('input_ids', DataType.INT64, [B, seq]);
    const types = b.input('token_type_ids', DataType.INT64, [B, seq]);
    const pos = net.param(tf ? 'bert/embeddings/position_ids:0' : 'embeddings.position_ids', makeTensor(DataType.INT64, [1, seq], BigInt64Array.from({ length: seq }, (_, i) => BigInt(i))));
    const word = e('Gather', [p('embeddings.word_embeddings.weight', 'embeddings/word_embeddings/weight', [VOCAB, hidden], { normal: 0.5 }), ids], { axis: 0 }, 'embeddings/word_embeddings/Gather');
    const typ = e('Gather', [p('embeddings.token_type_embeddings.weight', 'embeddings/token_type_embeddings/embeddings', [TYPE_VOCAB, hidden], { normal: 0.5 }), types], { axis: 0 }, 'embeddings/token_type_embeddings/Gather');
    const sum = e('Add', [word, typ], {}, 'embeddings/add');
    const posE = e('Gather', [p('embeddings.position_embeddings.weight', 'embeddings/position_embeddings/embeddings', [MAX_POSITIONS, hidden], { normal: 0.5 }), pos], { axis: 0 }, 'embeddings/position_embeddings/Gather');
    x = layerNorm(e('Add', [sum, posE], {}, 'embeddings/add_1'), 'embeddings.LayerNorm', 'embeddings/LayerNorm');
  } else {
    x = b.input(tf ? 'hidden_states' : 'hidden_states', DataType.FLOAT, [B, seq, hidden]);
  }
  const headShape = shape('heads_shape', [B, seq, heads, dh]);
  const mergeShape = shape('merge_shape', [B, seq, hidden]);
  for (let l = 0; l < layers; l++) {
    const t = `encoder.layer.${l}`;
    const s = `encoder/layer_${l}`;
    const split = (y: string, name: string, perm: number[]): string =>
      e('Transpose', [e('Reshape', [y, headShape], {}, `${s}/attention/self/${name}/Reshape`)], { perm }, `${s}/attention/self/${name}/transpose`);
    const q = split(linear(x, hidden, hidden, `${t}.attention.self.query`, `${s}/attention/self/query`), 'query', [0, 2, 1, 3]);
    const k = split(linear(x, hidden, hidden, `${t}.attention.self.key`, `${s}/attention/self/key`), 'key', [0, 2, 3, 1]);
    const v = split(linear(x, hidden, hidden, `${t}.attention.self.value`, `${s}/attention/self/value`), 'value', [0, 2, 1, 3]);
    const scores = e('Div', [e('MatMul', [q, k], {}, `${s}/attention/self/MatMul`), scoreScale], {}, `${s}/attention/self/truediv`);
    const probs = e('Softmax', [scores], { axis: -1 }, `${s}/attention/self/Softmax`);
    const ctx = e('MatMul', [probs, v], {}, `${s}/attention/self/MatMul_1`);
    const merged = e('Reshape', [e('Transpose', [ctx], { perm: [0, 2, 1, 3] }, `${s}/attention/self/transpose_3`), mergeShape], {}, `${s}/attention/self/Reshape_3`);
    const attn = linear(merged, hidden, hidden, `${t}.attention.output.dense`, `${s}/attention/output/dense`);
    x = layerNorm(e('Add', [attn, x], {}, `${s}/attention/output/add`), `${t}.attention.output.LayerNorm`, `${s}/attention/output/LayerNorm`);
    const h = linear(x, hidden, inter, `${t}.intermediate.dense`, `${s}/intermediate/dense`);
    // erf GELU: 0.5 * x * (1 + erf(x / sqrt 2)), in the exporter's operation order
    const erf = e('Erf', [e('Div', [h, sqrtHalf], {}, `${s}/intermediate/Gelu/truediv`)], {}, `${s}/intermediate/Gelu/Erf`);
    const gelu = e('Mul', [e('Mul', [h, e('Add', [erf, one], {}, `${s}/intermediate/Gelu/add`)], {}, `${s}/intermediate/Gelu/mul`), half], {}, `${s}/intermediate/Gelu/mul_1`);
    const ffn = linear(gelu, inter, hidden, `${t}.output.dense`, `${s}/output/dense`, 0.5);
    x = layerNorm(e('Add', [ffn, x], {}, `${s}/output/add`), `${t}.output.LayerNorm`, `${s}/output/LayerNorm`);
  }
  b.output(x, DataType.FLOAT, [B, seq, hidden]);
  const model = b.model({
    opset: 13,
    producerName: tf ? 'tf2onnx' : 'pytorch',
    producerVersion: tf ? '1.9.3' : '1.13.1',
    metadata: {
      'qdqsim.zoo.style': o.style, 'qdqsim.zoo.seed': String(o.seed), 'qdqsim.zoo.model': 'bert',
      'qdqsim.zoo.architecture': `BERT encoder, ${layers} layers, hidden ${hidden}, ${heads} heads`,
      'qdqsim.zoo.input': embeddings ? 'token ids' : 'normal(0,1)',
      ...(embeddings ? { 'qdqsim.zoo.range.input_ids': String(VOCAB), 'qdqsim.zoo.range.token_type_ids': String(TYPE_VOCAB) } : {}),
    },
  });
  return net.pytorch ? net.finishLegacyNames(model) : model;
}
