import { z } from 'zod';
import { GraftError } from '../errors.js';
import { invalidConfig } from './issues.js';

/** Something a `{ use: name, ...options }` spec names: a source, dataset, strategy or weighting. */
export interface OptionedItem {
  name: string;
  options: z.ZodType;
}

/** The shape of a plugin's options object (plugins declare strict zod objects). */
export function optionShape(options: z.ZodType): z.ZodRawShape {
  const def = (options as unknown as { _zod: { def: { type: string; shape?: z.ZodRawShape } } })._zod.def;
  return def.type === 'object' && def.shape ? def.shape : {};
}

/**
 * The one merge of a plugin item's own options with the options every spec of its kind accepts (`use`,
 * and e.g. `perClass` for datasets, `lr` for stages). A plugin option that shadows a common one would
 * silently change its meaning, so it is refused.
 */
export function specSchema(item: OptionedItem, common: z.ZodRawShape, kind: string): z.ZodObject {
  const own = optionShape(item.options);
  const clash = Object.keys(own).filter((k) => k in common);
  if (clash.length > 0) {
    throw new GraftError('GRAFT_PLUGIN_INVALID', {
      what: `The ${kind} "${item.name}" declares option${clash.length > 1 ? 's' : ''} ${clash.map((k) => `"${k}"`).join(', ')}, which every ${kind} spec already has`,
      fix: `Rename the option in the plugin; common options: ${Object.keys(common).join(', ')}`,
    });
  }
  return z.strictObject({ use: z.literal(item.name), ...common, ...own });
}

/**
 * Validate a spec against its item's merged schema; problems are reported by the one config formatter
 * (path, did-you-mean, valid keys). Returns the options with defaults applied, without `use`.
 */
export function parseSpec(item: OptionedItem, spec: unknown, common: z.ZodRawShape, kind: string, file: string, path: readonly PropertyKey[]): Record<string, unknown> {
  const schema = specSchema(item, common, kind);
  const parsed = schema.safeParse(spec);
  if (!parsed.success) throw invalidConfig(parsed.error, schema, file, path);
  const { use: _use, ...options } = parsed.data as Record<string, unknown>;
  return options;
}
