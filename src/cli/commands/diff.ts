import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { diffEngines, formatDiff } from '../../trt/diff.ts';
import { parseTrtexecLayers, type EngineLayerList } from '../../trt/validation/formats/trtexec-layers.ts';
import { CliError } from '../cli-error.ts';

function read(path: string): { list: EngineLayerList; nodeOpTypes: Record<string, string> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`, 2);
  }
  let list: EngineLayerList;
  try {
    list = parseTrtexecLayers(text, path);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  // A qdqsim prediction carries the op type of every ONNX node; it lets fused names be read exactly.
  let nodeOpTypes: Record<string, string> = {};
  try {
    const doc = JSON.parse(text) as { qdqsim?: { nodeOpTypes?: Record<string, string> } };
    nodeOpTypes = doc.qdqsim?.nodeOpTypes ?? {};
  } catch {
    // relaxed JSON (trtexec writes NaN/Infinity in some fields): no qdqsim section to read
  }
  return { list, nodeOpTypes };
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('Compare a predicted engine with a real one, layer by layer: fused node types, layer family, Int8-vs-float I/O')
    .argument('<predicted>', 'layer JSON from `qdqsim simulate --json` (or any trtexec --exportLayerInfo file)')
    .argument('<real>', 'the real engine: trtexec --exportLayerInfo JSON, names-only or detailed')
    .option('--fail-on-mismatch', 'exit 1 unless every layer matches')
    .action((predictedPath: string, realPath: string, o: { failOnMismatch?: boolean }) => {
      const p = read(predictedPath);
      const r = read(realPath);
      const result = diffEngines(p.list, r.list, { ...r.nodeOpTypes, ...p.nodeOpTypes });
      process.stdout.write(`${formatDiff(result)}\n`);
      if (o.failOnMismatch && result.matched !== result.total) process.exitCode = 1;
    });
}
