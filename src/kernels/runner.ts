// SPDX-License-Identifier: Apache-2.0
/**
 * Pipeline cache, buffer upload/readback and dispatch for the kernels in this directory.
 *
 * Every kernel is described by a `KernelDesc` (kernel-spec.ts); the pipeline-cache key is derived from
 * the description (stem, include choices, override constants), never written by hand, so two kernels
 * that differ in any compile-time input cannot share a pipeline.
 */
import { BufferUsage, MapMode, type GpuContext } from './device.ts';
import type { KernelDesc } from './kernel-spec.ts';
import { loadWgsl } from './wgsl-source.ts';

/** The largest workgroup count per dispatch dimension WebGPU guarantees. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

export function pipelineKey(d: KernelDesc): string {
  const inc = Object.entries(d.includes ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const ov = Object.entries(d.overrides ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return `${d.stem}|${d.entryPoint ?? 'main'}|${d.bindings.join(',')}|${inc.map(([k, v]) => `${k}=${v}`).join(',')}|${ov.map(([k, v]) => `${k}=${v}`).join(',')}`;
}

/** A 1-D workgroup count laid out in 2-D when it exceeds 65535 (kernels rebuild it from `num_workgroups`). */
export function grid1d(workgroups: number): [number, number, number] {
  if (workgroups <= MAX_WORKGROUPS_PER_DIM) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / MAX_WORKGROUPS_PER_DIM);
  if (y > MAX_WORKGROUPS_PER_DIM) throw new Error(`dispatch of ${workgroups} workgroups exceeds 65535² — split the work`);
  return [Math.ceil(workgroups / y), y, 1];
}

export interface DispatchTiming { gpuNs?: number }

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
/** How long `settle` spins before it starts sleeping between polls, and how long each sleep is. */
const SPIN_MS = 0.5, POLL_SLEEP_MS = 0.25;

/**
 * Await a GPU promise without letting dawn.node's poll loop keep a core busy (perf-baseline.md P2): its
 * promises resolve from a `setImmediate` loop that would spin one of this machine's two cores while
 * lavapipe's threads need both. After a short spin (tiny dispatches finish within it) the main thread
 * sleeps `POLL_SLEEP_MS` between event-loop turns, so dawn.node polls a few thousand times a second
 * instead of continuously. Costs at most one sleep of latency; on a GPU adapter it only saves CPU.
 */
export async function settle<T>(p: Promise<T>): Promise<T> {
  let done = false;
  const q = p.finally(() => { done = true; });
  const t0 = performance.now();
  while (!done) {
    if (performance.now() - t0 > SPIN_MS) Atomics.wait(SLEEPER, 0, 0, POLL_SLEEP_MS);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return q;
}

export class KernelRunner {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /**
   * Reusable large buffers by usage and size (staging and scratch): fresh memory costs a page fault per
   * 4 KiB on first touch in this VM, ~15k faults for 64 MB (perf-baseline.md P1), more than the kernel.
   */
  private readonly pool = new Map<string, GPUBuffer[]>();
  private readonly pooledKey = new WeakMap<GPUBuffer, string>();
  private querySet: GPUQuerySet | undefined;
  private queryBuf: GPUBuffer | undefined;
  private queryRead: GPUBuffer | undefined;

  /**
   * `maxBindingBytes` lowers the storage-binding limit the runner plans with (tests use it to exercise
   * the chunked path and the over-limit errors without allocating 128 MiB).
   */
  constructor(readonly ctx: GpuContext, private readonly opts: { maxBindingBytes?: number } = {}) {}

  get device(): GPUDevice {
    if (this.ctx.lost) throw this.ctx.lost;
    return this.ctx.device;
  }

  /** Largest storage binding in bytes. */
  get maxBinding(): number {
    const dev = Math.min(this.ctx.device.limits.maxStorageBufferBindingSize, this.ctx.device.limits.maxBufferSize);
    return Math.min(dev, this.opts.maxBindingBytes ?? dev);
  }

  /** Compile (or fetch from the cache) the pipeline for `d`; compile errors carry the WGSL message. */
  async pipeline(d: KernelDesc): Promise<GPUComputePipeline> {
    const key = pipelineKey(d);
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const device = this.device;
    const code = loadWgsl(d.stem, d.includes);
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code, label: d.stem });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      await device.popErrorScope();
      throw new Error(`WGSL compile error in wgsl/${d.stem}.wgsl (${key}):\n` +
        errors.map((m) => `  line ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n'));
    }
    const bgl = device.createBindGroupLayout({
      label: key,
      entries: d.bindings.map((kind, binding) => ({
        binding, visibility: 4 /* GPUShaderStage.COMPUTE */,
        buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
      })),
    });
    const p = await device.createComputePipelineAsync({
      label: key, layout: device.createPipelineLayout({ bindGroupLayouts: [bgl] }),
      compute: { module, entryPoint: d.entryPoint ?? 'main', constants: d.overrides ?? {} },
    });
    const err = await device.popErrorScope();
    if (err) throw new Error(`pipeline ${key}: ${err.message}`);
    this.pipelines.set(key, p);
    return p;
  }

  get cachedPipelines(): number { return this.pipelines.size; }

  /** A storage buffer holding `data` (padded to 4 bytes). */
  upload(data: ArrayBufferView, label = 'input'): GPUBuffer {
    const bytes = Math.max(4, (data.byteLength + 3) & ~3);
    this.checkSize(bytes, label);
    const buf = this.device.createBuffer({ label, size: bytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC, mappedAtCreation: true });
    new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buf.unmap();
    return buf;
  }

  /** A uniform buffer from 32-bit words (u32/i32 bit patterns). */
  uniform(words: ArrayLike<number>, label = 'params'): GPUBuffer {
    const n = Math.max(4, (words.length + 3) & ~3); // 16-byte multiple
    const u = new Uint32Array(n);
    for (let i = 0; i < words.length; i++) u[i] = words[i]! >>> 0;
    const buf = this.device.createBuffer({ label, size: n * 4, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST, mappedAtCreation: true });
    new Uint32Array(buf.getMappedRange()).set(u);
    buf.unmap();
    return buf;
  }

  /** An uninitialised storage buffer for results. */
  output(byteLength: number, label = 'output'): GPUBuffer {
    const bytes = Math.max(4, (byteLength + 3) & ~3);
    this.checkSize(bytes, label);
    return this.device.createBuffer({ label, size: bytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
  }

  checkSize(bytes: number, label: string): void {
    if (bytes > this.maxBinding) {
      throw new RangeError(`${label}: ${bytes} bytes exceeds this device's storage binding limit of ${this.maxBinding} bytes ` +
        '(maxStorageBufferBindingSize); split the tensor');
    }
  }

  /** Encode one dispatch; returns the command buffer (not submitted). */
  encode(pipeline: GPUComputePipeline, buffers: GPUBuffer[], workgroups: readonly [number, number, number], timestamps = false): GPUCommandBuffer {
    const device = this.device;
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder();
    let tw: GPUComputePassTimestampWrites | undefined;
    if (timestamps && this.ctx.hasTimestamps) {
      this.querySet ??= device.createQuerySet({ type: 'timestamp', count: 2 });
      this.queryBuf ??= device.createBuffer({ size: 16, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
      this.queryRead ??= device.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      tw = { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
    }
    const pass = enc.beginComputePass(tw ? { timestampWrites: tw } : {});
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
    pass.end();
    if (tw) {
      enc.resolveQuerySet(this.querySet!, 0, 2, this.queryBuf!, 0);
      enc.copyBufferToBuffer(this.queryBuf!, 0, this.queryRead!, 0, 16);
    }
    return enc.finish();
  }

  /** Submit and wait; with `timestamps`, returns the GPU pass time from timestamp queries. */
  async submit(cmd: GPUCommandBuffer, opts: { timestamps?: boolean; idleWaitMs?: number } = {}): Promise<DispatchTiming> {
    const device = this.device;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    device.queue.submit([cmd]);
    // dawn.node ticks its event loop with setImmediate while a GPU promise is pending, which busy-polls
    // one core (perf-baseline.md P2). Sleeping the main thread first gives that core back to the driver.
    if (opts.idleWaitMs) Atomics.wait(SLEEPER, 0, 0, opts.idleWaitMs);
    await settle(device.queue.onSubmittedWorkDone());
    const oom = await device.popErrorScope();
    const val = await device.popErrorScope();
    if (oom || val) throw new Error(`dispatch failed: ${(oom ?? val)!.message}`);
    if (this.ctx.lost) throw this.ctx.lost;
    if (!opts.timestamps || !this.queryRead) return {};
    await settle(this.queryRead.mapAsync(MapMode.READ));
    const t = new BigUint64Array(this.queryRead.getMappedRange().slice(0));
    this.queryRead.unmap();
    return { gpuNs: Number(t[1]! - t[0]!) };
  }

  async run(d: KernelDesc, buffers: GPUBuffer[], workgroups: readonly [number, number, number]): Promise<void> {
    const p = await this.pipeline(d);
    await this.submit(this.encode(p, buffers, workgroups));
  }

  /** Copy `byteLength` bytes of `src` into `into` (or a fresh ArrayBuffer). */
  async readback(src: GPUBuffer, byteLength: number, into?: Uint8Array): Promise<Uint8Array> {
    const device = this.device;
    const size = Math.max(4, (byteLength + 3) & ~3);
    const staging = this.take(size, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'readback');
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, staging, 0, size);
    device.queue.submit([enc.finish()]);
    await settle(staging.mapAsync(MapMode.READ));
    const out = into ?? new Uint8Array(byteLength);
    out.set(new Uint8Array(staging.getMappedRange(), 0, byteLength));
    staging.unmap();
    this.recycle(staging);
    if (this.ctx.lost) throw this.ctx.lost;
    return out;
  }

  /**
   * A storage buffer of at least `byteLength` bytes from the pool (contents undefined): give it back with
   * `recycle` when done. For repeated calls on large tensors (the element-wise kernels' chunks).
   */
  scratch(byteLength: number, label = 'scratch'): GPUBuffer {
    const size = Math.max(4, (byteLength + 3) & ~3);
    this.checkSize(size, label);
    return this.take(size, BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC, label);
  }

  /** Write `data` at the start of `dst` through a pooled staging buffer (bytes past data, to a multiple of 4, are zero). */
  async uploadInto(dst: GPUBuffer, data: Uint8Array): Promise<void> {
    const size = Math.max(4, (data.byteLength + 3) & ~3);
    const staging = this.take(size, BufferUsage.MAP_WRITE | BufferUsage.COPY_SRC, 'upload');
    await settle(staging.mapAsync(MapMode.WRITE));
    const view = new Uint8Array(staging.getMappedRange());
    view.set(data);
    view.fill(0, data.byteLength);
    staging.unmap();
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(staging, 0, dst, 0, size);
    this.device.queue.submit([enc.finish()]);
    this.recycle(staging);   // a later mapAsync waits for this copy
  }

  private take(size: number, usage: number, label: string): GPUBuffer {
    const key = `${usage}:${size}`;
    const buf = this.pool.get(key)?.pop() ?? this.device.createBuffer({ label, size, usage });
    this.pooledKey.set(buf, key);
    return buf;
  }

  /** Return a buffer from `scratch` (or an internal staging buffer) to the pool; small ones are destroyed. */
  recycle(buf: GPUBuffer): void {
    const key = this.pooledKey.get(buf);
    const list = key === undefined ? undefined : this.pool.get(key) ?? [];
    // keep at most two buffers per usage and size, large ones only (small ones are cheap to make)
    if (key === undefined || list === undefined || buf.size < 1 << 20 || list.length >= 2) { buf.destroy(); return; }
    list.push(buf);
    this.pool.set(key, list);
  }

  /** Release pooled buffers. */
  dispose(): void {
    for (const list of this.pool.values()) for (const b of list) b.destroy();
    this.pool.clear();
  }
}

/** A kernel with its inputs on the device, ready to dispatch any number of times (benchmarks reuse it). */
export interface PreparedDispatch {
  pipeline: GPUComputePipeline;
  buffers: GPUBuffer[];
  workgroups: [number, number, number];
  /** index into `buffers` of the output and its byte length */
  output: number;
  outBytes: number;
  dims: number[];
  destroy(): void;
}

/** Dispatch a prepared kernel once and read its int32 output back. */
export async function runPrepared(runner: KernelRunner, d: PreparedDispatch): Promise<Int32Array> {
  const out = new Int32Array(d.outBytes / 4);
  if (out.length === 0) return out;
  await runner.submit(runner.encode(d.pipeline, d.buffers, d.workgroups));
  await runner.readback(d.buffers[d.output]!, d.outBytes, new Uint8Array(out.buffer));
  return out;
}

