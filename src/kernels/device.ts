// SPDX-License-Identifier: Apache-2.0
/**
 * WebGPU device acquisition in Node through npm `webgpu` (Dawn).
 *
 * Three facts from ../shared/docs/environment.md shape this file:
 * - the object returned by `create()` must stay strongly reachable while the device lives, or V8 may
 *   collect it and Dawn tears the instance down under the device (futex errors, SIGSEGV): `GpuContext`
 *   holds it, and a module-level set holds every live context until `release()`;
 * - bookworm's stock Mesa 22.3 lavapipe is rejected by Dawn (`requestAdapter()` gives null), Mesa 25 from
 *   bookworm-backports works: the no-adapter error says how to install it;
 * - Dawn prints two harmless `maxDynamic*BuffersPerPipelineLayout artificially reduced` warnings.
 */
import { create, globals } from 'webgpu';

/** GPUBufferUsage / GPUMapMode flags (Node has no DOM globals; dawn.node exports them). */
export const BufferUsage = (globals as { GPUBufferUsage: GPUFlagsConstants }).GPUBufferUsage;
export const MapMode = (globals as { GPUMapMode: { READ: number; WRITE: number } }).GPUMapMode;
interface GPUFlagsConstants {
  MAP_READ: number; MAP_WRITE: number; COPY_SRC: number; COPY_DST: number; INDEX: number; VERTEX: number;
  UNIFORM: number; STORAGE: number; INDIRECT: number; QUERY_RESOLVE: number;
}

/** The WGSL language feature behind `dot4I8Packed`. */
export const PACKED_DOT4 = 'packed_4x8_integer_dot_product';

export const INSTALL_HINT =
  'WebGPU needs a Vulkan driver. On Debian 12 install Mesa lavapipe from bookworm-backports ' +
  '(the stock Mesa 22.3 is rejected by Dawn): `sudo bash scripts/install-system-deps.sh`, or ' +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`.';

/** Thrown when no WebGPU adapter exists; `message` says how to get one. */
export class NoAdapterError extends Error {
  constructor(detail: string) {
    super(`no WebGPU adapter: ${detail}. ${INSTALL_HINT}`);
    this.name = 'NoAdapterError';
  }
}

/** Thrown by kernel calls after the device was lost (driver crash, destroy(), out of memory). */
export class DeviceLostError extends Error {
  constructor(readonly reason: string, message: string) {
    super(`WebGPU device lost (${reason}): ${message}`);
    this.name = 'DeviceLostError';
  }
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  wgslLanguageFeatures: string[];
  limits: Record<string, number>;
}

/**
 * A software (CPU) adapter: the fallback flag, or a known CPU implementation's name. Kernels pick their
 * CPU dispatch shapes and dot-product path by it (elementwise-shape.ts, int8-operands.ts); results never depend on it.
 */
export function isCpuAdapter(s: AdapterSummary): boolean {
  return s.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|warp/i.test(`${s.device} ${s.description} ${s.architecture}`);
}

export interface GpuContext {
  /** The `create()` result: kept here so it outlives the device (see the file comment). */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly summary: AdapterSummary;
  /** True when WGSL `dot4I8Packed` is available (the `packed_4x8_integer_dot_product` language feature). */
  readonly hasDot4: boolean;
  readonly hasTimestamps: boolean;
  /** Set once the device is lost; every later kernel call throws it. */
  lost: DeviceLostError | undefined;
}

export interface AcquireOptions {
  /** Extra arguments for Dawn's `create()`, e.g. `['backend=opengles']` (the GLES fallback). */
  dawnFlags?: string[];
  /** Request the adapter's full limits (default true: lavapipe offers 1024 invocations, 32 KiB shared). */
  maxLimits?: boolean;
}

const live = new Set<GpuContext>();

/** Acquire an adapter and a device; throws `NoAdapterError` (with install instructions) when none exists. */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuContext> {
  let gpu: GPU;
  try {
    gpu = create(opts.dawnFlags ?? []);
  } catch (e) {
    throw new NoAdapterError(`Dawn failed to start (${(e as Error).message})`);
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new NoAdapterError('requestAdapter() returned null (no Vulkan driver, or one Dawn rejects)');
  const want: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) want.push('timestamp-query');
  const requiredLimits: Record<string, number> = {};
  if (opts.maxLimits !== false) {
    for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeInvocationsPerWorkgroup',
      'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupStorageSize',
      'maxStorageBuffersPerShaderStage'] as const) {
      requiredLimits[k] = adapter.limits[k];
    }
  }
  const device = await adapter.requestDevice({ requiredFeatures: want, requiredLimits });
  const langs = [...((gpu as unknown as { wgslLanguageFeatures?: Set<string> }).wgslLanguageFeatures ?? [])].sort();
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const k in device.limits) {
    const v = (device.limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') limits[k] = v;
  }
  const ctx: GpuContext = {
    gpu, adapter, device,
    summary: {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      isFallbackAdapter: Boolean((info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      features: [...adapter.features].map(String).sort(),
      wgslLanguageFeatures: langs,
      limits,
    },
    hasDot4: langs.includes(PACKED_DOT4),
    hasTimestamps: want.includes('timestamp-query'),
    lost: undefined,
  };
  live.add(ctx);
  void device.lost.then((info) => {
    ctx.lost = new DeviceLostError(info.reason, info.message);
    live.delete(ctx);
  });
  return ctx;
}

/** Destroy the device and let the `create()` object go. */
export function releaseGpu(ctx: GpuContext): void {
  if (!ctx.lost) ctx.lost = new DeviceLostError('destroyed', 'releaseGpu() was called');
  ctx.device.destroy();
  live.delete(ctx);
}

/**
 * For tests: acquire a device, or explain why not. With `QDQSIM_REQUIRE_GPU=1` (CI) a missing adapter
 * is an error; otherwise the caller skips with the returned reason.
 */
export async function acquireGpuOrSkip(): Promise<{ ctx?: GpuContext; skipReason?: string }> {
  try {
    return { ctx: await acquireGpu() };
  } catch (e) {
    if (process.env.QDQSIM_REQUIRE_GPU === '1' || !(e instanceof NoAdapterError)) throw e;
    return { skipReason: `${(e as Error).message} (set QDQSIM_REQUIRE_GPU=1 to make this a failure)` };
  }
}

/** One-line adapter name for tables and bench results. */
export function adapterName(ctx: GpuContext): string {
  const s = ctx.summary;
  return s.description || `${s.vendor} ${s.device}`.trim() || 'unknown adapter';
}
