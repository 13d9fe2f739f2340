/**
 * Build options as trtexec spells them, and the TensorRT version behaviour the rules depend on.
 * Weakly typed builds pick float precision per region (FP32, or FP16 when allowed); strongly typed builds
 * follow the ONNX tensor types.
 */

export type Precision = 'best' | 'int8' | 'fp16' | 'fp32' | 'strongly-typed';

/** Behaviour that differs between TensorRT major versions (docs/trt-qdq-rules.md §1.1). */
export interface VersionBehaviour {
  readonly id: '8.x' | '10.x';
  /** Per-channel DQ with a 1-D scale and no `axis` attribute: the parser uses axis 0 (ONNX says 1). */
  readonly perChannelDefaultAxis: number;
  /** Q/DQ scales must be build-time constants (8.x); 10.x accepts tensor scales. */
  readonly constantScaleRequired: boolean;
  /** INT8 initializers straight into a DQ (pre-quantized weights) are accepted. */
  readonly prequantizedWeights: boolean;
  /** A weakly typed Q/DQ network needs the INT8 builder flag. */
  readonly qdqNeedsInt8Flag: boolean;
  readonly stronglyTyped: boolean;
  /** DQ of an INT32 tensor (pre-quantized bias) fails: "only activation types allowed as input to this layer". */
  readonly int32DequantizeRejected: boolean;
}

export const VERSIONS: Record<VersionBehaviour['id'], VersionBehaviour> = {
  '8.x': {
    id: '8.x',
    perChannelDefaultAxis: 0,
    constantScaleRequired: true,
    prequantizedWeights: false,
    qdqNeedsInt8Flag: true,
    stronglyTyped: false,
    int32DequantizeRejected: true,
  },
  '10.x': {
    id: '10.x',
    perChannelDefaultAxis: 0,
    constantScaleRequired: false,
    prequantizedWeights: true,
    qdqNeedsInt8Flag: true,
    stronglyTyped: true,
    int32DequantizeRejected: true,
  },
};

export interface BuildOptions {
  readonly precision: Precision;
  readonly version: VersionBehaviour;
}

export interface SimulateOptions {
  precision?: Precision;
  version?: VersionBehaviour['id'];
}

export function resolveOptions(o: SimulateOptions = {}): BuildOptions {
  const version = VERSIONS[o.version ?? '8.x'];
  if (!version) throw new Error(`unknown TensorRT rule set '${o.version}' (known: ${Object.keys(VERSIONS).join(', ')})`);
  return { precision: o.precision ?? 'best', version };
}

/** INT8 kernels may be chosen. */
export function int8Allowed(o: BuildOptions): boolean {
  return o.precision === 'best' || o.precision === 'int8' || o.precision === 'strongly-typed';
}

/** The precision TensorRT gives float regions: FP16 when allowed (it was faster in every GT dump), else FP32. */
export function floatPrecision(o: BuildOptions): 'FP16' | 'FP32' {
  return o.precision === 'best' || o.precision === 'fp16' ? 'FP16' : 'FP32';
}
