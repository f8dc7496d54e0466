/** What Graft reports about a WebGPU adapter (a plain copy of `GPUAdapterInfo`, which is not enumerable in Dawn). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (llvmpipe, lavapipe, SwiftShader, WARP) rather than a GPU. */
  software: boolean;
  /** The adapter offers `shader-f16`. */
  shaderF16: boolean;
}

/** Renderers that run on the CPU; adapters rarely set `isFallbackAdapter` for them. */
const SOFTWARE_RENDERER = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = (value: string | undefined): string => value ?? '';
  const summary = {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    device: text(info.device),
    description: text(info.description),
  };
  const legacyFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const software = info.isFallbackAdapter === true || legacyFallback === true || SOFTWARE_RENDERER.test(Object.values(summary).join(' '));
  return { ...summary, software, shaderF16: adapter.features.has('shader-f16') };
}

/** `llvmpipe (LLVM 15.0.6, 256 bits) — OpenGL ES 3.2 Mesa 22.3.6, software` style, from whatever the adapter fills in. */
export function describeAdapter(summary: AdapterSummary): string {
  const name = summary.device || [summary.vendor, summary.architecture].filter((s) => s.length > 0).join(' ') || 'unnamed WebGPU adapter';
  const details = [summary.description, summary.software ? 'software renderer' : ''].filter((s) => s.length > 0 && s !== name);
  return details.length > 0 ? `${name} (${details.join('; ')})` : name;
}
