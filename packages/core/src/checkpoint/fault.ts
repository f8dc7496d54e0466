/**
 * Fault injection for the crash tests (never set it otherwise): `GRAFT_FAULT_AT=<point>:<n>[:<signal>]` sends
 * the process SIGKILL — as `kill -9` would — or the signal named (e.g. SIGINT) at `<point>` of its `<n>`-th
 * checkpoint write (n from 1). Points:
 * `before-write` (nothing written yet), `mid-write` (the temporary file half written), `before-rename`
 * (temporary complete and synced, not yet renamed), `after-rename` (checkpoint in place; the epoch's metrics
 * line not yet appended).
 */
export type FaultPoint = 'before-write' | 'mid-write' | 'before-rename' | 'after-rename';

let writes = 0;

/** Count a checkpoint write (call once per write, at `before-write`) and die here if the test hook says so. */
export function faultPoint(point: FaultPoint): void {
  const spec = process.env.GRAFT_FAULT_AT;
  if (point === 'before-write') writes += 1;
  if (!spec) return;
  const [at, n, signal] = spec.split(':');
  if (at === point && Number(n ?? 1) === writes) process.kill(process.pid, (signal ?? 'SIGKILL') as NodeJS.Signals);
}
