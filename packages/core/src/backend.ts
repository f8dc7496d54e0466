/** Whether a backend can run here, and if not, why and how to fix it. */
export interface BackendAvailability {
  available: boolean;
  /** Why it is not available. */
  reason?: string;
  /** What to do to make it available. */
  fix?: string;
}

/** What a backend can do, as reported by `graft backends`. */
export interface BackendCapabilities {
  /** Has the gradients of convolutions (Conv2DBackpropFilter, depthwise backprops). */
  trainsConvolutions: boolean;
  /** Has the gradient of embedding lookups (UnsortedSegmentSum). */
  trainsEmbeddings: boolean;
  /** Worker threads it computes with (1 when single-threaded). */
  threads: number;
  /** The device, in words (`CPU (JavaScript)`, `NVIDIA H200`). */
  device: string;
  float16: boolean;
}

/** Where the math runs: a tfjs backend, its detection, initialisation and capabilities. */
export interface Backend {
  /** The name used in `backend:` (cpu, wasm, webgpu, cuda, node). */
  name: string;
  description: string;
  /** The name under which the backend registers itself with tfjs. */
  tfBackend: string;
  /** Higher is faster; `backend: auto` picks the highest available one that can train the run. */
  priority: number;
  detect(): Promise<BackendAvailability>;
  /** Registers the tfjs backend (and any kernels it needs) and makes it current. */
  init(): Promise<void>;
  /** Valid after `init()`; before it, what the backend would offer. */
  capabilities(): BackendCapabilities;
}
