import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A shared library Dawn's OpenGL ES path loads at run time, and the Debian package that ships it. */
export interface SystemLibrary {
  /** Path relative to a library directory. */
  file: string;
  debianPackage: string;
}

/**
 * What Dawn needs to reach Mesa's llvmpipe through EGL: the GLVND dispatch library, Mesa's EGL vendor
 * library, GLES, and the software rasteriser driver that a surfaceless EGL display loads.
 */
export const OPENGLES_LIBRARIES: readonly SystemLibrary[] = [
  { file: 'libEGL.so.1', debianPackage: 'libegl1' },
  { file: 'libEGL_mesa.so.0', debianPackage: 'libegl-mesa0' },
  { file: 'libGLESv2.so.2', debianPackage: 'libgles2' },
  { file: 'dri/swrast_dri.so', debianPackage: 'libgl1-mesa-dri' },
];

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

/** Where the dynamic loader looks on a Debian-like system, `LD_LIBRARY_PATH` first. */
export function libraryDirectories(env: NodeJS.ProcessEnv = process.env, arch: string = process.arch): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d.length > 0);
  const triplet = MULTIARCH[arch];
  const system = triplet ? [`/usr/lib/${triplet}`, `/lib/${triplet}`] : [];
  return [...fromEnv, ...system, '/usr/lib64', '/lib64', '/usr/lib', '/lib'];
}

/** The libraries found in none of `directories`. */
export function missingLibraries(directories: readonly string[], libraries: readonly SystemLibrary[] = OPENGLES_LIBRARIES): SystemLibrary[] {
  return libraries.filter((lib) => !directories.some((dir) => existsSync(join(dir, lib.file))));
}
