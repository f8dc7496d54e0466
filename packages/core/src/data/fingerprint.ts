import type { Examples } from './examples.js';
import type { PreparedData } from './prepare.js';

type SplitName = 'train' | 'validation' | 'test';

/**
 * A short digest of each split's examples (every input and label byte, every dataset of the run), so runs
 * that claim to share their data can be checked to: same digest, same samples in the same order.
 * Two 32-bit FNV-1a lanes over 32-bit words: an equality check, not a security one.
 */
export function splitFingerprints(data: PreparedData): Partial<Record<SplitName, string>> {
  const out: Partial<Record<SplitName, string>> = {};
  for (const split of ['train', 'validation', 'test'] as const) {
    const parts = data.groups.map((g) => g.dataset[split]).filter((e): e is Examples => e !== undefined);
    if (parts.length === 0) continue;
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    const feed = (bytes: Uint8Array) => {
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
      for (let i = 0; i < words.length; i++) {
        a = Math.imul(a ^ words[i]!, 0x01000193);
        b = Math.imul(b ^ words[i]!, 0x01000193) ^ (b >>> 15);
      }
      for (let i = words.length << 2; i < bytes.byteLength; i++) a = Math.imul(a ^ bytes[i]!, 0x01000193);
      a = Math.imul(a ^ bytes.byteLength, 0x01000193); // lengths too, so a split point cannot move unseen
    };
    for (const e of parts) {
      for (const key of Object.keys(e.inputs).sort()) feed(bytesOf(e.inputs[key]!.data));
      for (const key of Object.keys(e.targets).sort()) feed(bytesOf(e.targets[key]!.data));
    }
    out[split] = (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

function bytesOf(a: Float32Array | Int32Array | Uint8Array): Uint8Array {
  // Copy when unaligned so the 32-bit view above is always allowed.
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return a.byteOffset % 4 === 0 ? view : view.slice();
}
