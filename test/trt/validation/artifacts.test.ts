import { describe, expect, it } from 'vitest';
import { fileSafeName as cliFileSafeName } from '../../../src/cli/commands/run.ts';
import { fileSafeName } from '../../../src/trt/validation/backends/tensor-files.ts';

describe('artifact file names', () => {
  it('match the names `qdqsim run --output-dir` writes', () => {
    for (const n of ['logits', 'onnx::Conv_46', '/layer1/Conv_output_0', 'a b:c', '.', '..', '', 'x.y-z_1']) {
      expect(fileSafeName(n), n).toBe(cliFileSafeName(n));
    }
  });
});
