import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where downloaded models are kept: `GRAFT_CACHE`, else the platform's user cache directory
 * (`$XDG_CACHE_HOME/graft`, `~/.cache/graft`, `~/Library/Caches/graft`, `%LOCALAPPDATA%\graft\cache`).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRAFT_CACHE) return env.GRAFT_CACHE;
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'graft', 'cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'graft');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'graft');
}
