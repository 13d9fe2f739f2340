/**
 * Checks that recorded outputs belong to the model: every graph output present with the right
 * element count and (known) dims, and every other recorded name a tensor of the graph. Artifacts
 * from a different model fail here with the names and shapes that disagree.
 */
import { indexGraph } from '../../../sim/ir/graph-index.ts';
import type { Model } from '../../../sim/ir/graph.ts';
import type { Tensor } from '../../../sim/tensor.ts';

export class ArtifactMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactMismatchError';
  }
}

export function checkRecordingMatchesModel(
  model: Model,
  recorded: Map<string, Tensor>,
  source: string,
  expectedDims: Map<string, readonly number[]> = new Map(),
): void {
  const g = model.graph;
  const outNames = g.outputs.map((o) => o.name);
  const problems: string[] = [];
  const missing = outNames.filter((n) => !recorded.has(n));
  const index = indexGraph(g);
  const unknown = [...recorded.keys()].filter((n) => !index.producer.has(n) && !index.sources.has(n));
  if (unknown.length) {
    problems.push(`recorded tensor(s) ${list(unknown)} do not exist in the model (its outputs: ${list(outNames)})`);
  }
  if (missing.length) problems.push(`model output(s) ${list(missing)} are not in the recording (recorded: ${list([...recorded.keys()])})`);
  for (const [name, t] of recorded) {
    const want = expectedDims.get(name) ?? declaredDims(model, name);
    if (!want) continue;
    const n = want.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) {
      problems.push(`'${name}' has ${t.data.length} values [${t.dims.join('x')}] but the model gives [${want.join('x')}] (${n})`);
    }
  }
  if (problems.length) {
    throw new ArtifactMismatchError(`${source} does not match the model${unknown.length || missing.length ? ' (artifacts from a different model?)' : ''}: ${problems.join('; ')}`);
  }
}

function declaredDims(model: Model, name: string): number[] | undefined {
  const vi = model.graph.outputs.find((o) => o.name === name) ?? model.graph.valueInfo.get(name);
  if (!vi?.shape || vi.shape.some((d) => typeof d !== 'number')) return undefined;
  return vi.shape as number[];
}

function list(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `'${n}'`).join(', ');
  return names.length > 8 ? `${shown}, ... (${names.length})` : shown || 'none';
}
