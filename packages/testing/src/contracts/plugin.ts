import { describe, expect, it } from 'vitest';
import { GRAFT_VERSION, type GraftPlugin, type Strategy, type TargetInfo } from '@graft/core';
import { buildRegistry, corePlugin } from '@graft/core/internal';
import { backendContract } from './backend.js';
import { comparePresetContract } from './compare-preset.js';
import { taskTypeContract } from './task-type.js';
import { weightingContract } from './weighting.js';

/** Options of {@link pluginContract}. */
export interface PluginContractOptions {
  /** Plugins this one needs loaded (its `meta.dependencies`), for the registry check and preset stages. */
  with?: readonly GraftPlugin[];
  /** Options per weighting name, as written in a config. @default {} */
  weightingOptions?: Readonly<Record<string, Record<string, unknown>>>;
  /** The label column per task type name. @default see {@link taskTypeContract} */
  targets?: Readonly<Record<string, TargetInfo>>;
}

/**
 * What every plugin must satisfy, and the contract of each of its contributions that needs no fixture:
 * its meta (a package name, a semver version, a Graft range this core satisfies) and contributions load
 * into a registry with Graft's own plugins (shapes, option schemas, names, no clash); then
 * {@link weightingContract} for each weighting, {@link taskTypeContract} for each task type,
 * {@link backendContract} for each backend and {@link comparePresetContract} for each compare preset.
 * Sources, datasets and strategies need options or inputs: run their contracts beside this one.
 */
export function pluginContract(plugin: GraftPlugin, contract: PluginContractOptions = {}): void {
  describe(`plugin contract: ${plugin.meta.name}`, () => {
    it('declares its name, version and the Graft versions it supports', () => {
      expect(plugin.meta.name).toMatch(/^(@[a-z0-9-]+\/)?[a-z0-9-]+$/);
      expect(plugin.meta.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/);
      expect(plugin.meta.graft.length).toBeGreaterThan(0);
    });

    it(`loads beside Graft’s own plugins into @graft/core ${GRAFT_VERSION}: its Graft range, shapes, option schemas, no name clash`, () => {
      const others = plugin.meta.name === corePlugin.meta.name ? [] : [corePlugin];
      const registry = buildRegistry([...others, ...(contract.with ?? []), plugin]);
      expect(registry.plugins.map((p) => p.name)).toContain(plugin.meta.name);
    });
  });
  for (const weighting of plugin.weightings ?? []) weightingContract(weighting, { options: contract.weightingOptions?.[weighting.name] });
  for (const task of plugin.tasks ?? []) taskTypeContract(task, { info: contract.targets?.[task.name] });
  for (const backend of plugin.backends ?? []) backendContract(backend);
  const strategies: Strategy[] = [...(contract.with ?? []), plugin].flatMap((p) => p.strategies ?? []);
  for (const preset of plugin.comparePresets ?? []) comparePresetContract(preset, { strategies });
}
