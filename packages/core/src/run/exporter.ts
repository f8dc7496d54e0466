import type { Environment } from '../env/environment.js';
import type { GraftModel } from '../model/graft-model.js';
import type { Task } from '../task.js';

/** What an exporter is given: the trained model, the task whose head to export, and where to write. */
export interface ExportRequest {
  model: GraftModel;
  task: Task;
  /** Folder to write; the exporter writes each file atomically through `env.artifacts`. */
  out: string;
  /** Name of the source the run used (for messages). */
  source: string;
  env: Environment;
}

/**
 * An export format for trained runs, contributed by a plugin (`graft export --format <name>`). The CLI
 * and `TrainedRun.export` look exporters up by name, so neither imports a plugin's model classes.
 */
export interface Exporter {
  /** The format name (`onnx`, `tfjs-layers`). */
  name: string;
  description: string;
  /** Why this model or task cannot be exported in this format, or undefined when it can. */
  unsupported(model: GraftModel, task: Task): string | undefined;
  /** Write the export; resolves to the files written. */
  export(request: ExportRequest): Promise<{ files: string[] }>;
}
