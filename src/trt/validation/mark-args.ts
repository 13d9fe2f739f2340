/**
 * The exact command-line arguments that record just the engine-layer boundary tensors. These
 * tensors already exist in the engine, so marking them does not change what TensorRT fuses; marking
 * anything else (`--trt-outputs mark all`) forces intermediates to exist in float and breaks the very
 * fusions under test (docs/trt-qdq-rules.md §6.2).
 */
import { shellCommand } from './backends/trtexec.ts';
import { fileSafeName } from './backends/tensor-files.ts';

export interface MarkArguments {
  tensors: string[];
  /** trtexec >= 10.5: debug tensors, dumped raw to debug/<name>.bin. */
  trtexec: string[];
  /** `polygraphy run` arguments (TensorRT and onnxruntime both record the same tensors). */
  polygraphy: string[];
  /** Both as copy-pasteable shell lines. */
  trtexecLine: string;
  polygraphyLine: string;
}

export function markArguments(modelPath: string, tensors: readonly string[], precisionFlags: readonly string[] = ['--int8', '--fp16']): MarkArguments {
  const t = [...tensors];
  const trtexec = t.length
    ? [`--markDebug=${t.join(',')}`, `--saveDebugTensors=${t.map((n) => `${n}:debug/${fileSafeName(n)}.bin`).join(',')}`]
    : [];
  const polygraphy = t.length ? ['--trt-outputs', ...t, '--onnx-outputs', ...t] : [];
  return {
    tensors: t,
    trtexec,
    polygraphy,
    trtexecLine: shellCommand('trtexec', [`--onnx=${modelPath}`, ...precisionFlags, ...trtexec]),
    polygraphyLine: shellCommand('polygraphy', ['run', modelPath, '--trt', '--onnxrt', ...polyFlags(precisionFlags), ...polygraphy, '--save-results', 'results.json']),
  };
}

/** Polygraphy has no --best: it spells the same build as --int8 --fp16. */
function polyFlags(trtexecFlags: readonly string[]): string[] {
  const f = trtexecFlags.flatMap((x) => (x === '--best' ? ['--int8', '--fp16'] : x === '--stronglyTyped' ? ['--strongly-typed'] : [x]));
  return [...new Set(f)];
}
