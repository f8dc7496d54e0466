import { GraftError, isGraftError } from '@graft/core';

/** What the system says when the user's environment refuses a file operation, and what it means. */
const SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'Permission denied.',
  EPERM: 'The operation is not permitted.',
  EROFS: 'The file system is read-only.',
  ENOSPC: 'The disk is full.',
  EISDIR: 'It is a folder, not a file.',
  ENOTDIR: 'A part of the path is a file, not a folder.',
  ENAMETOOLONG: 'The path is too long for the file system.',
  ENOENT: 'No such file or folder.',
};

/** A Node system error about a path, as a GraftError, or undefined for anything else. */
function fromSystemError(error: unknown): GraftError | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || !(e.code in SYSTEM_REASONS) || typeof e.path !== 'string') return undefined;
  return new GraftError('GRAFT_FILE_ACCESS', {
    what: `Could not ${e.syscall ?? 'use'} ${e.path}`,
    why: SYSTEM_REASONS[e.code],
    fix: 'Check the path and its permissions, or choose a writable location (output.dir, --out, GRAFT_CACHE)',
    cause: error,
  });
}

/**
 * The one formatter for every failure the CLI reports: its message and exit code. Graft errors print as they
 * are; a file the system refused (read-only output folder, a folder where a file belongs, a name too long)
 * is the user's environment, exit 2; anything else is a bug in Graft, exit 1, with its stack.
 */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (isGraftError(error)) {
    return { message: error.message, exitCode: error.code === 'GRAFT_FILE_ACCESS' ? 2 : error.exitCode };
  }
  const system = fromSystemError(error);
  if (system) return { message: system.message, exitCode: 2 };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { message: `GRAFT_INTERNAL: ${detail}\nThis is a bug in Graft; please report it with the config that caused it.`, exitCode: 1 };
}
