import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noAdapter } from './probe.js';
import { libraryDirectories, missingLibraries, OPENGLES_LIBRARIES } from './system-libraries.js';

describe('missingLibraries', () => {
  const root = mkdtempSync(join(tmpdir(), 'graft-webgpu-libs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names the libraries found in none of the directories, with their Debian packages', () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    mkdirSync(join(b, 'dri'), { recursive: true });
    mkdirSync(a, { recursive: true });
    writeFileSync(join(a, 'libEGL.so.1'), '');
    writeFileSync(join(b, 'dri', 'swrast_dri.so'), '');
    expect(missingLibraries([a, b]).map((lib) => lib.debianPackage)).toEqual(['libegl-mesa0', 'libgles2']);
    expect(missingLibraries([join(root, 'absent')])).toEqual(OPENGLES_LIBRARIES);
  });

  it('looks in LD_LIBRARY_PATH first, then the multiarch directories', () => {
    const dirs = libraryDirectories({ LD_LIBRARY_PATH: '/opt/mesa/lib::/x' }, 'x64');
    expect(dirs.slice(0, 4)).toEqual(['/opt/mesa/lib', '/x', '/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu']);
    expect(libraryDirectories({}, 'arm64')[0]).toBe('/usr/lib/aarch64-linux-gnu');
  });
});

describe('noAdapter', () => {
  it('names the missing Debian packages and the command that installs them', () => {
    expect(noAdapter('linux', OPENGLES_LIBRARIES.slice(1, 3))).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Install them: apt-get install libegl-mesa0 libgles2 (Debian/Ubuntu package names), or install your GPU's Vulkan driver",
        "reason": "Dawn found no GPU adapter, and its OpenGL ES fallback (Mesa llvmpipe) needs libEGL_mesa.so.0, libGLESv2.so.2, which are not installed",
      }
    `);
  });

  it('points at a Vulkan driver when the libraries are there but llvmpipe still gave nothing', () => {
    expect(noAdapter('linux', [])).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Install your GPU's Vulkan driver (Debian: mesa-vulkan-drivers, or the NVIDIA driver), or use backend: wasm",
        "reason": "Dawn found no GPU adapter: no Vulkan driver for a GPU, and the OpenGL ES fallback (Mesa llvmpipe through EGL) offered none",
      }
    `);
  });

  it('blames an EGL_PLATFORM that needs a display server', () => {
    expect(noAdapter('linux', [], 'wayland')).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Unset EGL_PLATFORM (Graft then uses surfaceless, which needs no display server), or install your GPU's Vulkan driver",
        "reason": "Dawn found no GPU adapter, and its OpenGL ES fallback could not open an EGL display with EGL_PLATFORM=wayland",
      }
    `);
  });

  it('points at the graphics driver elsewhere', () => {
    expect(noAdapter('darwin', [])).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Update the graphics driver (Dawn uses Metal on macOS and Direct3D 12 on Windows), or use backend: wasm",
        "reason": "Dawn found no GPU adapter on darwin",
      }
    `);
  });
});
