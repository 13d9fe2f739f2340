/** How the generated graph is spelled: the legacy PyTorch exporter or tf2onnx on a Keras model. */
export type ZooStyle = 'pytorch' | 'tf2onnx';
export type ZooLayout = 'nchw' | 'nhwc';

export interface ZooOptions {
  /** Batch size (default 1). */
  batch?: number;
  /** Input layout (default nchw for pytorch, nhwc for tf2onnx). NHWC input adds a Transpose to NCHW. */
  layout?: ZooLayout;
  /** Naming and export conventions (default pytorch). */
  style?: ZooStyle;
  /** Input resolution (default: the architecture's, e.g. 224; 299 for inception_v3). Smaller runs faster in tests. */
  size?: number;
  /** Weight seed (default 0). The same seed gives the same bytes. */
  seed?: number;
  /** BERT: number of encoder layers (default 12). */
  layers?: number;
  /** BERT: include the embedding block with input_ids/token_type_ids (default true). */
  embeddings?: boolean;
  /** BERT: sequence length (default 128). */
  seqLen?: number;
  /** BERT: hidden size (default 768), heads (default 12), intermediate size (default 4x hidden). */
  hidden?: number;
  heads?: number;
  intermediate?: number;
  /** Classifier outputs for the CNNs (default 1000). */
  classes?: number;
  /**
   * tf2onnx style: spell the graph as tf2onnx writes a TF-QAT (quantize-wrapped) Keras model, where
   * the Q/DQ between layers keep tf2onnx from rewriting them: ZeroPadding2D layers stay Pad nodes (the
   * stem's on the NHWC input, ahead of the input Transpose) and Dense stays MatMul + Add (BiasAdd)
   * instead of one Gemm. Default false: a float Keras model, whose real fp32/fp16 engines show the
   * pad merged into the conv (`Conv__N`) and the Gemm.
   */
  keepPads?: boolean;
}

export interface ResolvedZooOptions {
  batch: number;
  layout: ZooLayout;
  style: ZooStyle;
  seed: number;
  classes: number;
  keepPads: boolean;
}

export function resolveCommon(opts: ZooOptions): ResolvedZooOptions {
  const style = opts.style ?? 'pytorch';
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`zoo: batch must be a positive integer, got ${batch}`);
  if (style !== 'pytorch' && style !== 'tf2onnx') throw new Error(`zoo: style must be pytorch or tf2onnx, got '${style as string}'`);
  const layout = opts.layout ?? (style === 'tf2onnx' ? 'nhwc' : 'nchw');
  if (layout !== 'nchw' && layout !== 'nhwc') throw new Error(`zoo: layout must be nchw or nhwc, got '${layout as string}'`);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`zoo: seed must be an integer, got ${seed}`);
  const classes = opts.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`zoo: classes must be a positive integer, got ${classes}`);
  return { batch, layout, style, seed, classes, keepPads: opts.keepPads ?? false };
}

/** A resolution the architecture can take: at least `min` (so every stride-2 stage keeps >= 1 pixel). */
export function resolveSize(opts: ZooOptions, def: number, min: number, name: string): number {
  const size = opts.size ?? def;
  if (!Number.isInteger(size) || size < min) throw new Error(`zoo: ${name} needs --size >= ${min}, got ${size}`);
  return size;
}
