import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  GraftError,
  medianPruner,
  noPruner,
  readConfigFile,
  runTrial,
  studyConfigHash,
  type Runtime,
  type SearchSettings,
  type TrialExecutor,
  type TrialJob,
  type TrialRecord,
  type TrialSetup,
} from '@graft/core';

/** The BullMQ queue every study's trials go through; a job's id names its study and trial. */
export const QUEUE_NAME = 'graft-search';

/** What a queued trial carries: enough for any worker to rebuild the trial and check it runs the same config. */
export interface TrialMessage {
  configPath: string;
  configHash: string;
  settings: SearchSettings;
  metric: string;
  direction: 'maximize' | 'minimize';
  dir: string;
  job: TrialJob;
}

export interface QueueOptions {
  /** Delivery attempts before a trial goes to the dead-letter (failed) list. @default 3 */
  attempts?: number;
}

/** Check the Redis URL answers, with a clear error naming it when it does not. */
export async function checkRedis(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GraftError('GRAFT_QUEUE_UNREACHABLE', { what: `"${url}" is not a URL`, where: '--queue', fix: 'Write the queue as redis://HOST:PORT (rediss:// for TLS)' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new GraftError('GRAFT_QUEUE_UNREACHABLE', { what: `The queue URL "${url}" is not a redis:// URL`, where: '--queue', fix: 'Write the queue as redis://HOST:PORT (rediss:// for TLS)' });
  }
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new GraftError('GRAFT_QUEUE_UNREACHABLE', {
      what: `Cannot reach Redis at ${url}: ${error instanceof Error ? error.message : String(error)}`,
      where: '--queue',
      fix: 'Start a Redis server there (Debian: `apt install redis-server`), or fix the host and port; every worker and the search must reach the same URL',
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}

async function bullmq() {
  return import('bullmq');
}

const connection = (url: string) => ({ url, maxRetriesPerRequest: null });

/**
 * Trials on a BullMQ queue: each batch's trials become jobs (ids `<study>-<n>`, so a resumed search re-adds
 * nothing already there), workers anywhere run them, and each result is recorded once as its job completes.
 * A job whose worker dies is retried by another worker after its lock expires (at-least-once); a job that
 * fails `attempts` times stays in the queue's failed list and the study records the trial as failed.
 */
export async function queueExecutor(url: string, configPath: string, options: QueueOptions = {}): Promise<TrialExecutor & { close(): Promise<void> }> {
  await checkRedis(url);
  const { Queue, Job } = await bullmq();
  const queue = new Queue(QUEUE_NAME, { connection: connection(url) });
  const attempts = options.attempts ?? 3;
  return {
    async runBatch(jobs, setup, _pruner, record) {
      const configHash = studyConfigHash(setup.config.raw);
      // One study per config, folder and start: a resumed search finds its jobs; another folder's study, or the
      // new study of `--fresh`, never reuses them (BullMQ keeps completed jobs by id).
      const study = createHash('sha256').update(`${configHash}\n${setup.dir}\n${setup.created ?? ''}`).digest('hex').slice(0, 16);
      const id = (n: number) => `${study}-${n}`;
      await queue.addBulk(
        jobs.map((job) => ({
          name: 'trial',
          data: { configPath, configHash, settings: setup.settings, metric: setup.metric, direction: setup.direction, dir: setup.dir, job } satisfies TrialMessage,
          opts: { jobId: id(job.number), attempts, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
        })),
      );
      const pending = new Set(jobs.map((j) => j.number));
      while (pending.size > 0) {
        for (const n of [...pending]) {
          const job = await Job.fromId(queue, id(n));
          if (!job) throw new GraftError('GRAFT_SEARCH_FAILED', { what: `Trial ${n} vanished from the queue at ${url}`, fix: 'Something removed the job (a `FLUSHALL`?); run `graft search --resume` again' });
          const state = await job.getState();
          if (state === 'completed') {
            const result = job.returnvalue as TrialRecord | null;
            // A job can read as completed a moment before its result is visible: look again on the next round.
            if (!result || typeof result.number !== 'number') continue;
            await record(result);
            pending.delete(n);
          } else if (state === 'failed') {
            // BullMQ moves a job to `failed` only when no attempt is left (or the error is unrecoverable).
            const message = jobs.find((j) => j.number === n)!;
            await record({ number: n, params: message.params, state: 'failed', folds: [], mean: NaN, std: NaN, seconds: 0, error: `dead-lettered after ${job.attemptsMade} attempts: ${job.failedReason}`, worker: 'queue' });
            pending.delete(n);
          }
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
      }
    },
    async close() {
      await queue.close();
    },
  };
}

export interface WorkerOptions {
  /** A local copy of the config to use instead of the path in each job (it must hash the same). */
  config?: string;
  /** Trials this worker runs at once. @default 1 */
  concurrency?: number;
  /** Seconds a trial's lock lives without renewal: a dead worker's trial is retried after about this long. @default 30 */
  lockSeconds?: number;
  name?: string;
}

/** Run one queued trial: check the config is the study's, then train and score it. */
export async function processTrial(runtime: Runtime, message: TrialMessage, options: { config?: string; name: string }, refuse: (message: string) => Error): Promise<TrialRecord> {
  const file = readConfigFile(options.config ?? message.configPath);
  const hash = studyConfigHash(file.raw);
  if (hash !== message.configHash) {
    // Retrying cannot help: the job fails at once, and the study records it.
    throw refuse(
      new GraftError('GRAFT_SEARCH_CONFIG_MISMATCH', {
        what: `Worker ${options.name} has a different config for this study (${file.file}: hash ${hash.slice(0, 12)}, the study's ${message.configHash.slice(0, 12)})`,
        fix: 'Give every worker the same config (a shared path, or `graft worker -c` with an identical copy)',
      }).message,
    );
  }
  const setup: TrialSetup = { config: file, settings: message.settings, metric: message.metric, direction: message.direction, dir: message.dir };
  const pruner = message.settings.pruner === 'median' ? medianPruner() : noPruner;
  return runTrial(runtime, setup, message.job, pruner, options.name);
}

/**
 * Run queued trials until stopped. Each trial trains in a child process (BullMQ's sandboxed processor), so
 * the worker keeps renewing its lock while the training keeps the child's event loop busy; a worker that dies
 * stops renewing, and after `lockSeconds` another worker takes the trial over.
 */
export async function startWorker(url: string, options: WorkerOptions = {}): Promise<{ stop(): Promise<void>; closed: Promise<void> }> {
  await checkRedis(url);
  const { Worker } = await bullmq();
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const lock = (options.lockSeconds ?? 30) * 1000;
  // The child processes read these: the worker's name and its local copy of the config.
  process.env.GRAFT_WORKER_NAME = name;
  if (options.config) process.env.GRAFT_WORKER_CONFIG = resolve(options.config);
  const worker = new Worker(QUEUE_NAME, new URL('./trial-process.js', import.meta.url), {
    connection: connection(url),
    concurrency: options.concurrency ?? 1,
    lockDuration: lock,
    stalledInterval: Math.max(1000, lock / 2),
    maxStalledCount: 2,
    useWorkerThreads: false,
  });
  // Say once that the queue is gone (Redis restarting, a network cut), not once per reconnection attempt.
  let lost = false;
  worker.on('error', (error) => {
    if (lost) return;
    lost = true;
    process.stderr.write(`graft worker: lost the queue at ${url} (${error.message}); reconnecting…\n`);
  });
  worker.on('ready', () => (lost = false));
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const stop = async () => {
    await worker.close();
    resolveClosed();
  };
  return { stop, closed };
}
