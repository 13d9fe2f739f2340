/**
 * The HTML report: structure checked always; the page opened in headless Chromium when a chromium
 * binary exists (CI images usually have none: the browser part then skips, saying so).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ortBackend } from '../../../src/trt/validation/backends/ort.ts';
import { compareModel } from '../../../src/trt/validation/compare.ts';
import { engineSupport } from '../../../src/trt/validation/exec/predict.ts';
import { randomFeed } from '../../../src/trt/validation/inputs.ts';
import { DEFAULT_COMPARE_OPTIONS } from '../../../src/trt/validation/metrics/compare-tensors.ts';
import { renderHtmlReport } from '../../../src/trt/validation/report/html.ts';
import { qdqConvModel, saveTemp } from './models.ts';

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

const model = qdqConvModel();
const modelPath = saveTemp(model);
const support = await engineSupport(model, { precision: 'best' });
const report = await compareModel({
  modelPath, model, feeds: new Map([['x', randomFeed(model.graph.inputs[0], 2)]]), feedSources: new Map([['x', 'seeded']]),
  backend: ortBackend(), reference: 'engine-sim', options: DEFAULT_COMPARE_OPTIONS, plan: support.plan, engineSim: support.engineSim,
});
const html = renderHtmlReport(report);

describe('HTML report', () => {
  it('is one self-contained page: engine graph coloured by precision, tables, LSB histograms', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
    expect(html.match(/<g class="layer" data-precision="(Int8|FP16|FP32)"/g)?.length).toBe(support.plan!.layers.length);
    expect(html).toContain('data-precision="Int8"');
    expect(html).toContain('data-precision="FP16"');
    expect(html.match(/<svg[^>]*class="histogram"/g)?.length).toBeGreaterThanOrEqual(report.outputs.length);
    for (const o of report.outputs) expect(html).toContain(`<code>${o.name}</code>`);
    expect(html).toContain(report.verdict.line.slice(0, 20));
  });

  it('escapes tensor and layer names', () => {
    const r = { ...report, model: '<img src=x onerror=alert(1)>' };
    expect(renderHtmlReport(r)).not.toContain('<img src=x');
  });

  const chromium = findChromium();
  // CI installs Chromium (scripts/install-system-deps.sh) and sets QDQSIM_REQUIRE_BROWSER=1: there a missing browser fails
  const browserRequired = process.env.QDQSIM_REQUIRE_BROWSER === '1';
  if (!chromium && !browserRequired) console.log('HTML report in headless Chromium: skipped — no chromium/chromium-browser/google-chrome binary on PATH');
  it.skipIf(!chromium && !browserRequired)('renders in headless Chromium (DOM parsed, screenshot taken)', () => {
    if (!chromium) expect.fail('no chromium/chromium-browser/google-chrome binary on PATH (QDQSIM_REQUIRE_BROWSER=1); run scripts/install-system-deps.sh');
    const dir = mkdtempSync(join(tmpdir(), 'qdqsim-html-'));
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const common = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${join(dir, 'profile')}`];
    const dom = spawnSync(chromium!, [...common, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 90_000 });
    expect(dom.status, dom.stderr).toBe(0);
    // the browser's own serialisation of the parsed page: every SVG survived parsing
    expect(dom.stdout.match(/<svg/g)?.length).toBe(html.match(/<svg/g)?.length);
    expect(dom.stdout).toContain('class="engine-graph"');
    const png = join(dir, 'shot.png');
    const shot = spawnSync(chromium!, [...common, `--screenshot=${png}`, '--window-size=1200,900', `file://${page}`], { encoding: 'utf8', timeout: 90_000 });
    expect(shot.status, shot.stderr).toBe(0);
    expect(existsSync(png) && statSync(png).size > 10_000).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });
});
