import { describe, expect, it } from 'vitest';
import type { Backend } from '@graft/core';

/** What every backend plugin must satisfy, whether or not it is available on this machine. */
export function backendContract(backend: Backend): void {
  describe(`backend contract: ${backend.name}`, () => {
    it('describes itself and its capabilities', () => {
      expect(backend.name).toMatch(/^[a-z0-9-]+$/);
      expect(backend.description.length).toBeGreaterThan(10);
      const caps = backend.capabilities();
      expect(typeof caps.trainsConvolutions).toBe('boolean');
      expect(typeof caps.trainsEmbeddings).toBe('boolean');
      expect(caps.threads).toBeGreaterThanOrEqual(1);
      expect(caps.device.length).toBeGreaterThan(0);
    });

    it('says why and how to fix it when it is not available', async () => {
      const availability = await backend.detect();
      if (!availability.available) {
        expect(availability.reason, 'reason').toBeTruthy();
        expect(availability.fix, 'fix').toBeTruthy();
      } else {
        expect(availability.reason).toBeUndefined();
      }
    });
  });
}
