/**
 * The rule sets, as ordered passes in TensorRT's order (docs/trt-qdq-rules.md App. A): weight Q/DQ
 * folding, weighted-op import, BN/activation folding, Q/DQ propagation, fusion, leftover Q/DQ.
 * One set per TensorRT major version; 10.x differs today only in parser behaviour (build-options.ts),
 * and gets its own list here the moment a rewrite differs.
 */
import type { VersionBehaviour } from '../build-options.ts';
import type { Pass, Rule } from '../rule.ts';
import { epilogueRules } from './epilogue.ts';
import { fusionRules } from './fusion.ts';
import { leftoverRules } from './leftover.ts';
import { propagationRules } from './propagation.ts';
import { weightFoldingRules } from './weight-folding.ts';
import { weightedImportRules } from './weighted-import.ts';

const TRT8_PASSES: readonly Pass[] = [
  { id: 'const', title: 'Constant-fold weight Q/DQ', rules: weightFoldingRules },
  { id: 'import', title: 'Weighted ops become convolution units', rules: weightedImportRules },
  { id: 'epilogue', title: 'BatchNorm and activation folding', rules: epilogueRules },
  { id: 'propagate', title: 'Q/DQ propagation', rules: propagationRules },
  { id: 'fuse', title: 'Layer fusion', rules: fusionRules },
  { id: 'lower', title: 'Leftover Q/DQ to Reformat', rules: leftoverRules },
];

const PASSES: Record<VersionBehaviour['id'], readonly Pass[]> = {
  '8.x': TRT8_PASSES,
  '10.x': TRT8_PASSES,
};

export function passesFor(version: VersionBehaviour): readonly Pass[] {
  return PASSES[version.id];
}

/** Every rule once, in pass order (for the documentation table). */
export function allRules(version: VersionBehaviour): { pass: Pass; rule: Rule }[] {
  return passesFor(version).flatMap((pass) => pass.rules.map((rule) => ({ pass, rule })));
}
