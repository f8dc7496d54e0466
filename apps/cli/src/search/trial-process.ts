import type { SandboxedJob } from 'bullmq';
import { cliRuntime } from '../context.js';
import { processTrial, type TrialMessage } from './queue.js';

// A trial's child process: when its worker dies (kill -9), stop too, so the retried trial is the only one writing.
process.on('disconnect', () => process.exit(1));

/** BullMQ's sandboxed processor: one trial per job, in this child process of `graft worker`. */
export default async function trialProcess(job: SandboxedJob<TrialMessage>) {
  const refuse = (message: string) => Object.assign(new Error(message), { name: 'UnrecoverableError' });
  return processTrial(cliRuntime(), job.data, { config: process.env.GRAFT_WORKER_CONFIG, name: process.env.GRAFT_WORKER_NAME ?? `worker:${process.ppid}` }, refuse);
}
