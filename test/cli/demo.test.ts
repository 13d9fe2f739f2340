import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo/run-demo.ts';

describe('qdqsim demo', () => {
  it('shows input-side (TF-QAT) placement fusing where output-side (TFMOT) leaves reformats', () => {
    const out = runDemo({ model: 'resnet50_v1', size: 64 });
    const row = (label: string) => {
      const m = out.match(new RegExp(`^\\s+${label}\\s+(\\S+)\\s+(\\S+)$`, 'm'));
      expect(m, `row '${label}' in:\n${out}`).not.toBeNull();
      return [m![1], m![2]];
    };
    const [qatReformats, tfmotReformats] = row('stand-alone Q/DQ \\(Reformat\\)').map(Number);
    // TF-QAT ResNet-v1 on Keras ResNet-50: only the network input's Q stays stand-alone (the real engine's QuantLinearNode__838)
    expect(qatReformats).toBe(1);
    expect(tfmotReformats).toBeGreaterThan(10 * qatReformats);
    const [qatLayers, tfmotLayers] = row('engine layers').map(Number);
    expect(tfmotLayers).toBeGreaterThan(qatLayers);
    expect(out).toMatch(/== lint: TF-QAT resnet_v1 — 0 finding\(s\) ==/);
    expect(out).toMatch(/== lint: TFMOT-style — [1-9]\d* finding\(s\) ==/);
    expect(out).toMatch(/check: verified/);
  });
});
