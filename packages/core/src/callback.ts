import type { ZodType } from 'zod';
import type { Callback } from './train/callbacks.js';

export type { Callback, CallbackControl, CallbackHandlers, TrainEventName, TrainEvents } from './train/callbacks.js';

/**
 * A callback a plugin contributes, which a config names (`callbacks: [{ use: name, ...options }]`). Each run
 * gets a fresh instance from `create`. A callback's events and what it may do are in {@link Callback}; one
 * whose decisions depend on earlier events keeps that in `state`/`restore`, so `--resume` stays exact.
 */
export interface CallbackPlugin<Options = any> {
  name: string;
  description: string;
  /** Options of `callbacks: [{ use: name, ... }]` (a strict zod object). */
  options: ZodType<Options>;
  create(options: Options): Callback;
}
