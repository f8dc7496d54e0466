import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, definePlugin, GRAFT_VERSION, TRAIN_EVENTS, type CallbackPlugin, type GraftPlugin } from '@graft/core';
import { testingPlugin } from '../plugin.js';

export interface CallbackContractOptions {
  /** Options of `callbacks: [{ use: name, ...options }]` for the runs. @default {} */
  options?: Record<string, unknown>;
  /** Plugins the callback's runs need besides the fixtures (a strategies plugin providing `fine-tune` at least). */
  plugins: readonly GraftPlugin[];
}

/**
 * What every callback plugin must satisfy: strict options, handlers only for the loop's events, and exact
 * resume — a run stopped after an epoch and resumed ends with the same weights (and the same callback state)
 * as the uninterrupted run, which holds when a stateful callback checkpoints what it needs through `state`.
 */
export function callbackContract(plugin: CallbackPlugin, contract: CallbackContractOptions): void {
  const options = contract.options ?? {};
  const host = definePlugin({ meta: { name: `callback-contract-${plugin.name}`, version: '0.0.0', graft: GRAFT_VERSION }, callbacks: [plugin] });
  const config = (dir: string) => ({
    backend: 'cpu',
    seed: 2,
    source: { use: 'testing/tiny-conv', seed: 1 },
    tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 16, test: 8, validation: 0.25 } }],
    stages: [{ use: 'fine-tune', epochs: 3, lr: 0.01, batchSize: 8 }],
    callbacks: [{ use: plugin.name, ...options }],
    output: { dir },
  });
  const runtime = createRuntime({ plugins: [...contract.plugins, testingPlugin, host] });

  describe(`callback contract: ${plugin.name}`, () => {
    it('has a name, a description and strict options', () => {
      expect(plugin.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(plugin.description.length).toBeGreaterThan(10);
      expect(plugin.options.safeParse({ ...options, __unknown__: 1 }).success).toBe(false);
    });

    it('handles only the loop’s events, and its state is JSON', () => {
      const cb = plugin.create(plugin.options.parse(options));
      expect(typeof cb.name).toBe('string');
      const handlers = Object.keys(cb).filter((k) => typeof (cb as unknown as Record<string, unknown>)[k] === 'function' && !['state', 'restore', 'dispose'].includes(k));
      for (const h of handlers) expect(TRAIN_EVENTS).toContain(h);
      if (cb.state) expect(JSON.parse(JSON.stringify(cb.state()))).toEqual(cb.state());
      expect(Boolean(cb.state)).toBe(Boolean(cb.restore));
    });

    it('keeps --resume exact: stopped after an epoch and resumed equals the straight run', async () => {
      const weights = async (dir: string, resume: boolean, stopAfter?: number) => {
        const run = await runtime.load(config(dir));
        const outcome = run.train({
          resume,
          callbacks: {
            onEpochEnd: (e) => {
              if (e.epoch === stopAfter) throw new Error('stopped by the contract');
            },
          },
        });
        if (stopAfter !== undefined) {
          await expect(outcome).rejects.toThrow('stopped by the contract');
          return undefined;
        }
        const result = await outcome;
        return { history: result.history.map(({ seconds: _, ...h }) => h), final: result.final };
      };
      const straight = await weights(mkdtempSync(join(tmpdir(), 'graft-cb-contract-')), false);
      const dir = mkdtempSync(join(tmpdir(), 'graft-cb-contract-'));
      await weights(dir, false, 0);
      const resumed = await weights(dir, true);
      expect(resumed).toEqual(straight);
    });
  });
}
