/**
 * The engine as `trtexec --exportLayerInfo` writes it with `--profilingVerbosity=detailed`
 * (docs/trt-qdq-rules.md §5.2): `{"Layers": [...], "Bindings": [...]}`, plus a `qdqsim` section with the
 * rule trace, parser notes, per-layer notes and the ONNX op type of every node (which `qdqsim diff`
 * uses to read fused names). Values TensorRT measures (tactics, timings) are not invented: there is no
 * TacticName, and TacticValue is omitted.
 */
import type { Engine, EngineLayer, EngineTensor } from './engine.ts';

/** TRT >= 8.6 `Metadata`: `[ONNX Layer: name]` records separated by U+001E. */
export function metadataString(nodes: readonly { name: string }[]): string {
  return nodes.map((n) => `[ONNX Layer: ${n.name}]`).join('\x1e');
}

function tensorJson(t: EngineTensor): Record<string, unknown> {
  return { Name: t.name, Location: 'Device', ...(t.dims ? { Dimensions: t.dims } : {}), 'Format/Datatype': t.format };
}

function convParams(l: EngineLayer): Record<string, unknown> {
  const core = l.nodes.find((n) => ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(n.opType));
  if (!core) return {};
  const ints = (k: string) => (core.attrs[k]?.type === 'ints' ? (core.attrs[k].value as number[]) : undefined);
  const acts = l.nodes.filter((n) => ['Relu', 'Clip', 'LeakyRelu'].includes(n.opType));
  const activation = acts.length === 0 ? 'NONE' : acts.some((a) => a.opType === 'Clip') ? 'CLIPPED_RELU' : acts.some((a) => a.opType === 'LeakyRelu') ? 'LEAKY_RELU' : 'RELU';
  const pads = ints('pads');
  return {
    ...(ints('kernel_shape') ? { Kernel: ints('kernel_shape') } : {}),
    ...(pads ? { PrePadding: pads.slice(0, pads.length / 2), PostPadding: pads.slice(pads.length / 2) } : {}),
    ...(ints('strides') ? { Stride: ints('strides') } : {}),
    ...(ints('dilations') ? { Dilation: ints('dilations') } : {}),
    Groups: core.attrs.group?.type === 'int' ? core.attrs.group.value : 1,
    Weights: { Type: l.compute === 'Int8' ? 'Int8' : 'Float' },
    Bias: { Type: 'Float' },
    Activation: activation,
    HasReLU: acts.length > 0 ? 1 : 0,
  };
}

export function layerJson(l: EngineLayer): Record<string, unknown> {
  return {
    Name: l.name,
    LayerType: l.layerType,
    ...(l.parameterType ? { ParameterType: l.parameterType } : {}),
    ...(l.origin ? { Origin: l.origin } : {}),
    Inputs: l.inputs.map(tensorJson),
    Outputs: l.outputs.map(tensorJson),
    ...(l.kind === 'convolution' || l.kind === 'conv-act-pool' ? convParams(l) : {}),
    ...(l.nodes.length > 0 ? { Metadata: metadataString(l.nodes) } : {}),
  };
}

export function engineToLayerInfo(e: Engine, withTrace = true): Record<string, unknown> {
  return {
    Layers: e.layers.filter((l) => !l.eliminated).map(layerJson),
    Bindings: [...e.bindings.inputs, ...e.bindings.outputs],
    qdqsim: {
      ruleSet: e.options.version.id,
      precision: e.options.precision,
      summary: e.summary,
      parserNotes: e.parserNotes,
      layers: e.layers.map((l) => ({ name: l.name, compute: l.compute, onnxNodes: l.nodes.map((n) => n.name), notes: l.notes, ...(l.eliminated ? { eliminated: true } : {}) })),
      nodeOpTypes: e.nodeOpTypes,
      ...(withTrace ? { trace: e.trace } : {}),
    },
  };
}
