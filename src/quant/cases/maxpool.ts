/** MaxPoolQDQCase: quantize the input of every MaxPool (so Q/DQ can move through it and branches stay INT8). */
import type { CaseContext, CaseEntry, QdqCase } from '../plan.ts';

export function maxPoolEntries(ctx: CaseContext): CaseEntry[] {
  return ctx.view.graph.nodes
    .filter((n) => n.opType === 'MaxPool')
    .map((n) => ({ node: n.name, quantizeInput: true, quantizeWeight: false }));
}

export const maxPoolCase: QdqCase = { name: 'maxpool', summary: 'MaxPool: quantize the input', entries: maxPoolEntries };
