import type { Logger } from '../logger.js';

/** What a path names. */
export interface FileInfo {
  kind: 'file' | 'directory';
  /** Bytes of a file; 0 for a directory. */
  size: number;
  /** Last modification, milliseconds since the epoch. */
  modified: number;
}

/** An exclusive lock on a folder, held while a run writes into it. */
export interface FolderLock {
  /** Give the lock back. Idempotent. */
  release(): Promise<void>;
  /** Who held the stale lock this one took over (a dead process), when it took one over. */
  tookOverFrom?: string;
}

/**
 * Local files as the environment has them: Node's file system, or in a browser a tree in memory or
 * IndexedDB that the page fills (dropped files) and runs write into. Paths are absolute in the
 * environment's terms (Node: file paths; browser: `/`-separated keys).
 *
 * Two services share this interface: the files a config points at (datasets, model directories,
 * vocabularies, checkpoints used as sources) and the artifact store runs write to (metrics, checkpoints,
 * reports, exports). In Node both are the file system; a browser or a test binds them separately.
 */
export interface FileStore {
  /** The file's bytes, or undefined when nothing is there. A file over `maxBytes` is refused (GRAFT_DATA_INVALID). */
  read(path: string, options?: { maxBytes?: number }): Promise<Uint8Array | undefined>;
  /** Replace the file atomically, creating parent folders: readers see the old or the new content, never a torn file. */
  write(path: string, data: Uint8Array | string): Promise<void>;
  /** Append text to the file (created when missing); durable when the promise resolves. */
  append(path: string, text: string): Promise<void>;
  /** Remove a file or a folder tree; nothing happens when it is absent. */
  remove(path: string): Promise<void>;
  /** What the path names, following links; undefined when nothing. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** Names of a folder's entries, sorted; empty when the folder is absent. */
  list(dir: string): Promise<string[]>;
  /** `path` resolved against `base` (relative paths in a config resolve against the config's folder). */
  resolve(base: string, ...paths: string[]): string;
  /**
   * Where the path leads once symbolic links are followed; undefined when nothing is there. A store without
   * links (memory, IndexedDB) leaves it out. Readers of untrusted folders (a downloaded model) use it to
   * refuse a link that points outside the folder.
   */
  realPath?(path: string): Promise<string | undefined>;
  /**
   * Take the exclusive lock of a folder for this process. A lock held by a live process is refused with
   * `GRAFT_RUN_LOCKED`; one left behind by a process that died is taken over (see `tookOverFrom`).
   */
  lock(dir: string): Promise<FolderLock>;
}

/** A file with a public home: model weights, a dataset archive. */
export interface Resource {
  /** The public URL it is downloaded from. */
  url: string;
  /**
   * Pinned sha256 (hex) of its bytes: a mismatch is refused and nothing is cached. Several digests when
   * several known-good copies exist (upstream's file and a distribution's recompressed one).
   */
  sha256?: string | readonly string[];
  /** A download larger than this is refused. */
  maxBytes?: number;
  /** What it is, for messages and progress (`Fashion-MNIST training images`). */
  label?: string;
  /**
   * Files on this machine that may hold a copy (a Linux distribution's package), tried before the mirror
   * and the network; used when they match the pinned checksum, and not copied into the cache.
   */
  localCopies?: readonly string[];
}

/**
 * Files fetched by URL, models and datasets alike: from a local cache, else a local copy, else a mirror
 * standing in for the public hosts, else downloaded, verified and cached. Node keeps the cache on disk
 * (`GRAFT_CACHE`, mirror `GRAFT_MIRROR`); a browser uses the Cache API or IndexedDB.
 */
export interface ResourceStore {
  /** The resource's bytes. */
  get(resource: Resource): Promise<Uint8Array>;
  /**
   * Where a usable copy lives (the cache, else a local copy) and how big it is, without fetching
   * anything; undefined when neither is there.
   */
  cached(resource: Resource): Promise<{ location: string; bytes: number } | undefined>;
}

/** The time, so tests can fix it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Randomness that is *not* part of a seeded run (training draws from the config's seed, never from here):
 * lock owners, temporary names, a fresh seed where the user asked for none.
 */
export interface RandomSource {
  /** A uniform number in [0, 1). */
  next(): number;
}

/**
 * The services that differ between Node, the browser and tests. Core binds Node defaults; a browser
 * runtime or a test registers other providers; plugins read them from their context and never import
 * `node:` modules for these jobs themselves.
 */
export interface Environment {
  /** Files a config points at: datasets, model directories, vocabularies, checkpoints used as sources. */
  files: FileStore;
  /** Where runs write: metrics, checkpoints, reports, exported models. */
  artifacts: FileStore;
  /** Models and datasets fetched by URL, through a cache and a mirror. */
  resources: ResourceStore;
  clock: Clock;
  random: RandomSource;
  log: Logger;
}
