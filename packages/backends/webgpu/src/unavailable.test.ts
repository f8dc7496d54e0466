import { describe, expect, it } from 'vitest';
import { GraftError } from '@graft/core/internal';
import { SOFTWARE_PRIORITY, webgpuBackend } from './index.js';
import { probeAdapter } from './probe.js';
import { libraryDirectories, missingLibraries } from './system-libraries.js';

// Each test file runs in a process of its own: point Mesa's EGL at an X server that is not there,
// before Dawn first opens EGL, and the OpenGL ES fallback finds nothing, as on a machine without Mesa.
process.env.EGL_PLATFORM = 'x11';
delete process.env.DISPLAY;
delete process.env.WAYLAND_DISPLAY;

const testable = process.platform === 'linux' && missingLibraries(libraryDirectories()).length === 0;

describe.skipIf(!testable)('webgpuBackend when Dawn finds no adapter (EGL without a display)', () => {
  it('detect() says why and what to do; init() throws GRAFT_BACKEND_UNAVAILABLE saying the same', async (ctx) => {
    const probe = await probeAdapter();
    if (probe.found?.path === 'dawn') ctx.skip(); // a real GPU through Vulkan: the fallback is never tried
    expect(await webgpuBackend.detect()).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Unset EGL_PLATFORM (Graft then uses surfaceless, which needs no display server), or install your GPU's Vulkan driver",
        "reason": "Dawn found no GPU adapter, and its OpenGL ES fallback could not open an EGL display with EGL_PLATFORM=x11",
      }
    `);
    const error = await webgpuBackend.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('GRAFT_BACKEND_UNAVAILABLE');
    expect((error as GraftError).message).toMatchInlineSnapshot(`"GRAFT_BACKEND_UNAVAILABLE: The webgpu backend is not available here. Dawn found no GPU adapter, and its OpenGL ES fallback could not open an EGL display with EGL_PLATFORM=x11. Unset EGL_PLATFORM (Graft then uses surfaceless, which needs no display server), or install your GPU's Vulkan driver."`);
    expect(webgpuBackend.priority).toBe(SOFTWARE_PRIORITY);
    expect(webgpuBackend.capabilities().device).toBe('no WebGPU adapter');
  });
});
