import type { BackendAvailability } from '@graft/core';
// Types only (they bring @webgpu/types in); the module itself is imported lazily, in Node alone.
import type { create } from 'webgpu';
import { summarizeAdapter, type AdapterSummary } from './adapter-info.js';
import type { SystemLibrary } from './system-libraries.js';

/** How the adapter was reached. */
export type AdapterPath =
  /** `navigator.gpu` that the page (or the user, in Node) already provides. */
  | 'navigator'
  /** Dawn's default backend for the platform (Vulkan, Metal, D3D12). */
  | 'dawn'
  /** Dawn on OpenGL ES in compatibility mode; on a machine without a GPU, Mesa's llvmpipe. */
  | 'dawn-opengles';

/** An adapter that was found, and how to ask for it again (a WebGPU adapter yields one device). */
export interface FoundAdapter {
  gpu: GPU;
  options: GPURequestAdapterOptions;
  path: AdapterPath;
  summary: AdapterSummary;
  /** Threads the adapter computes with: llvmpipe's `LP_NUM_THREADS`, one per core by default; 1 for a GPU. */
  threads: number;
  /** Dawn's global constructors and enums (`GPUBufferUsage`, ...) that tfjs-backend-webgpu reads; Node only. */
  globals?: Record<string, unknown>;
}

export type ProbeResult = { found: FoundAdapter } | { found?: undefined; availability: BackendAvailability };

const HIGH_PERFORMANCE: GPURequestAdapterOptions = { powerPreference: 'high-performance' };
// Dawn exposes OpenGL ES only at the compatibility feature level (no core-features-and-limits).
const COMPATIBILITY = { featureLevel: 'compatibility' } as GPURequestAdapterOptions;

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function existingGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? undefined;
}

let probing: Promise<ProbeResult> | undefined;

/** Finds the best adapter once per process; later calls share the answer. */
export function probeAdapter(): Promise<ProbeResult> {
  probing ??= findAdapter();
  return probing;
}

let lastProbe: ProbeResult | undefined;

/** The probe's answer once it has finished, for synchronous readers (priority, capabilities). */
export function probedSoFar(): ProbeResult | undefined {
  return lastProbe;
}

async function findAdapter(): Promise<ProbeResult> {
  const result = await findAdapterUncached();
  lastProbe = result;
  return result;
}

async function findAdapterUncached(): Promise<ProbeResult> {
  const gpu = existingGpu();
  if (gpu !== undefined) {
    const adapter = await gpu.requestAdapter(HIGH_PERFORMANCE).catch(() => null);
    if (adapter) return { found: { gpu, options: HIGH_PERFORMANCE, path: 'navigator', summary: summarizeAdapter(adapter), threads: 1 } };
  }
  if (isNode()) return findDawnAdapter();
  if (gpu !== undefined) {
    return {
      availability: {
        available: false,
        reason: 'navigator.gpu returned no adapter (the GPU is blocklisted, or WebGPU is disabled)',
        fix: 'Enable WebGPU in the browser (chrome://gpu shows why it is off), or use backend: wasm',
      },
    };
  }
  return {
    availability: {
      available: false,
      reason: 'this browser does not provide WebGPU (navigator.gpu is undefined)',
      fix: 'Use a browser with WebGPU (Chrome or Edge 113+, Safari 26+) on a page served over HTTPS or localhost, or use backend: wasm',
    },
  };
}

interface DawnModule {
  create: typeof create;
  globals: Record<string, unknown>;
}

/** A variable, so that browser bundlers leave Dawn (a Node addon) out. */
const DAWN_PACKAGE = 'webgpu';

async function findDawnAdapter(): Promise<ProbeResult> {
  let dawn: DawnModule;
  try {
    dawn = (await import(/* @vite-ignore */ DAWN_PACKAGE)) as DawnModule;
  } catch (error) {
    return {
      availability: {
        available: false,
        reason: `Dawn (npm package webgpu, an optional peer dependency of @graft/backend-webgpu) cannot be loaded: ${firstLine(error)}`,
        fix: `Install it next to the config (npm install webgpu@^0.6.2); it ships prebuilt binaries for linux-x64, linux-arm64, darwin and win32, and this is ${process.platform}-${process.arch}`,
      },
    };
  }
  const native = await requestFrom(dawn, [], HIGH_PERFORMANCE);
  if (native) return { found: { ...native, path: 'dawn', globals: dawn.globals } };

  // Mesa's EGL needs a platform without a display server; set before Dawn first opens EGL.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const gles = await requestFrom(dawn, ['backend=opengles'], COMPATIBILITY);
  if (gles) return { found: { ...gles, path: 'dawn-opengles', globals: dawn.globals } };

  const { libraryDirectories, missingLibraries } = await import('./system-libraries.js');
  const missing = process.platform === 'linux' ? missingLibraries(libraryDirectories()) : [];
  return { availability: noAdapter(process.platform, missing, process.env.EGL_PLATFORM) };
}

async function requestFrom(dawn: DawnModule, flags: string[], options: GPURequestAdapterOptions): Promise<Omit<FoundAdapter, 'path'> | undefined> {
  let gpu: GPU;
  let adapter: GPUAdapter | null;
  try {
    gpu = dawn.create(flags);
    adapter = await gpu.requestAdapter(options);
  } catch {
    return undefined;
  }
  if (!adapter) return undefined;
  const summary = summarizeAdapter(adapter);
  return { gpu, options, summary, threads: summary.software ? await softwareThreads() : 1 };
}

async function softwareThreads(): Promise<number> {
  const configured = Number(process.env.LP_NUM_THREADS);
  if (Number.isInteger(configured) && configured > 0) return configured;
  const { availableParallelism } = await import('node:os');
  return availableParallelism();
}

/** Why Dawn found nothing in Node, and what to install. */
export function noAdapter(platform: string, missing: readonly SystemLibrary[], eglPlatform?: string): BackendAvailability {
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((lib) => lib.debianPackage))].join(' ');
    return {
      available: false,
      reason: `Dawn found no GPU adapter, and its OpenGL ES fallback (Mesa llvmpipe) needs ${missing.map((lib) => lib.file).join(', ')}, which are not installed`,
      fix: `Install them: apt-get install ${packages} (Debian/Ubuntu package names), or install your GPU's Vulkan driver`,
    };
  }
  if (platform === 'linux' && eglPlatform !== undefined && eglPlatform !== 'surfaceless') {
    return {
      available: false,
      reason: `Dawn found no GPU adapter, and its OpenGL ES fallback could not open an EGL display with EGL_PLATFORM=${eglPlatform}`,
      fix: 'Unset EGL_PLATFORM (Graft then uses surfaceless, which needs no display server), or install your GPU\'s Vulkan driver',
    };
  }
  if (platform === 'linux') {
    return {
      available: false,
      reason: 'Dawn found no GPU adapter: no Vulkan driver for a GPU, and the OpenGL ES fallback (Mesa llvmpipe through EGL) offered none',
      fix: 'Install your GPU\'s Vulkan driver (Debian: mesa-vulkan-drivers, or the NVIDIA driver), or use backend: wasm',
    };
  }
  return {
    available: false,
    reason: `Dawn found no GPU adapter on ${platform}`,
    fix: 'Update the graphics driver (Dawn uses Metal on macOS and Direct3D 12 on Windows), or use backend: wasm',
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
