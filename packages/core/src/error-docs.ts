import type { GraftErrorCode } from './errors.js';

/** What the reference says about one error code. */
export interface ErrorDoc {
  /** A short title. */
  title: string;
  /** When Graft raises it, and why that is a problem. */
  when: string;
  /** What the user usually does about it. */
  fix: string;
}

/**
 * One entry per error code, for the docs site's error reference (like Astro's). The type makes a new
 * code without an entry a compile error, so the reference never falls behind the code.
 */
export const ERROR_DOCS: { readonly [C in GraftErrorCode]: ErrorDoc } = {
  GRAFT_CONFIG_NOT_FOUND: {
    title: 'Config file not found',
    when: 'The path given with `-c` (or to `runtime.load`) names no file.',
    fix: 'Check the path; `examples/` holds configs to start from.',
  },
  GRAFT_CONFIG_PARSE: {
    title: 'Config file is not valid YAML or JSON',
    when: 'The config file could not be parsed; the message quotes the parser and the position.',
    fix: 'Fix the syntax at the position shown. `.json` files are read as JSON, anything else as YAML.',
  },
  GRAFT_CONFIG_INVALID: {
    title: 'Config value is invalid',
    when: 'A key is unknown, a value has the wrong type or range, or a plugin rejects its options. The message names the file and the path in it (`stages[1].lr`).',
    fix: 'Correct the value named; `graft schema` prints the JSON Schema for editor completion.',
  },
  GRAFT_UNKNOWN_PLUGIN_ITEM: {
    title: 'Unknown plugin item',
    when: 'A name refers to something no loaded plugin registered.',
    fix: 'Check `graft plugins` for the registered names, or list the plugin that provides it under `plugins`.',
  },
  GRAFT_UNKNOWN_STRATEGY: {
    title: 'Unknown strategy',
    when: 'A stage’s `use` (or a `graft compare --strategies` entry) names no registered strategy or preset.',
    fix: 'Pick one of the listed choices (a did-you-mean is given for typos), or load the plugin that provides it.',
  },
  GRAFT_UNKNOWN_SOURCE: {
    title: 'Unknown source',
    when: '`source.use` names no registered pretrained source.',
    fix: 'Pick a listed source (`graft plugins`), or load the plugin that provides it.',
  },
  GRAFT_UNKNOWN_DATASET: {
    title: 'Unknown dataset',
    when: 'A task’s `data.use` names no registered dataset provider.',
    fix: 'Pick a listed dataset (`graft plugins`), or load the plugin that provides it.',
  },
  GRAFT_UNKNOWN_BACKEND: {
    title: 'Unknown backend',
    when: '`backend` names no registered backend.',
    fix: 'Use `auto` or one of the listed backends; `graft backends` shows which run here.',
  },
  GRAFT_UNKNOWN_TASK_TYPE: {
    title: 'Unknown task type',
    when: 'A task’s `type` names no registered task kind.',
    fix: 'Use `classification`, `regression`, or a type a loaded plugin registers.',
  },
  GRAFT_UNKNOWN_WEIGHTING: {
    title: 'Unknown weighting',
    when: 'A stage’s `weighting.use` names no registered multi-task weighting.',
    fix: 'Pick one of the listed weightings (`graft plugins`).',
  },
  GRAFT_UNKNOWN_CALLBACK: {
    title: 'Unknown callback',
    when: 'An entry of the config’s `callbacks` names (`use`) no callback a loaded plugin contributes.',
    fix: 'Pick one of the listed callbacks (`graft plugins`), or add the plugin that contributes it to `plugins`.',
  },
  GRAFT_PLUGIN_LOAD: {
    title: 'Plugin could not be loaded',
    when: 'A module listed under `plugins` is not installed, does not exist, exports no entry Graft can import, or threw while it was imported.',
    fix: 'Install the package next to the config (or fix the path), and fix the error the message quotes.',
  },
  GRAFT_PLUGIN_API: {
    title: 'Plugin does not support this Graft version',
    when: 'The semver range in a plugin’s `meta.graft` does not include the running `@graft/core` version.',
    fix: 'Upgrade Graft or the plugin, as the message says.',
  },
  GRAFT_PLUGIN_DEPENDENCY: {
    title: 'Plugin needs another plugin',
    when: 'A plugin’s `meta.dependencies` names a plugin that is not loaded, or one whose version is outside the range it asks for.',
    fix: 'Install the named plugin in the range the message gives and list it under `plugins`.',
  },
  GRAFT_CORE_DUPLICATE: {
    title: 'Two copies of @graft/core are loaded',
    when: 'A plugin brought its own `@graft/core` (a linked plugin with its own node_modules, or a plugin listing core as a dependency), so registries, kernels and errors would be split between two copies.',
    fix: 'Make `@graft/core` a peerDependency of the plugin and deduplicate (`npm dedupe`); for a linked plugin, remove its node_modules/@graft/core.',
  },
  GRAFT_MISSING_PACKAGE: {
    title: 'An optional package is not installed',
    when: 'A feature the config uses lives in an optional package (a GPU backend, the ONNX runtime, a large corpus) that is not installed.',
    fix: 'Run the npm install command the message gives, next to the config.',
  },
  GRAFT_PLUGIN_INVALID: {
    title: 'Plugin is malformed',
    when: 'A plugin module does not export a plugin object, or one of its contributions has the wrong shape.',
    fix: 'Default-export `definePlugin({ meta, ... })` and check the field the message names.',
  },
  GRAFT_PLUGIN_DUPLICATE: {
    title: 'Two plugins register the same name',
    when: 'A plugin is loaded twice, or two plugins register an item of the same kind under one name.',
    fix: 'Remove one of them, or rename the item in your own plugin.',
  },
  GRAFT_BACKEND_UNAVAILABLE: {
    title: 'Backend unavailable',
    when: 'The backend asked for cannot run here (a missing package, no GPU, no WebGPU adapter), or none can train the run.',
    fix: 'Follow the fix in the message (`graft backends` lists each backend and why it does or does not run), or use `backend: auto`.',
  },
  GRAFT_BACKEND_KERNEL_MISSING: {
    title: 'Backend lacks a kernel',
    when: 'The chosen backend has no implementation of an operation the run needs (usually a gradient).',
    fix: 'Use another backend (`auto` picks one that can train the run).',
  },
  GRAFT_CHECKPOINT_NOT_FOUND: {
    title: 'Checkpoint not found',
    when: 'No checkpoint exists where `--resume`, `eval`, `predict`, `export` or a `graft/checkpoint` source looked.',
    fix: 'Train first, or pass the path of an existing checkpoint.',
  },
  GRAFT_CHECKPOINT_CORRUPT: {
    title: 'Checkpoint is damaged or foreign',
    when: 'A checkpoint file fails its signature, length or checksum checks, or its header is inconsistent.',
    fix: 'The file is left untouched; resume from an earlier checkpoint or train again.',
  },
  GRAFT_CHECKPOINT_MISMATCH: {
    title: 'Checkpoint does not fit',
    when: 'A checkpoint was written by another config, or its weights do not match the model’s shapes.',
    fix: 'Use the config the checkpoint was trained with.',
  },
  GRAFT_MODEL_LOAD: {
    title: 'Pretrained model could not be loaded',
    when: 'Model files are missing, malformed, unsafe (paths escaping their folder, impossible sizes) or unreachable.',
    fix: 'Check the model path or URL; offline, use a mirror folder or a local `path`.',
  },
  GRAFT_DATA_NOT_FOUND: {
    title: 'Data not found',
    when: 'A dataset’s files are not where the config (or the dataset’s defaults) say.',
    fix: 'Check the path, or let the dataset download its files (see the data guide).',
  },
  GRAFT_DATA_INVALID: {
    title: 'Data is invalid',
    when: 'A dataset file cannot be read as what it claims to be, has no usable samples, or is too large to read safely.',
    fix: 'Check the file named in the message.',
  },
  GRAFT_LABELS_MISMATCH: {
    title: 'Labels do not fit the task',
    when: 'A task reads a label column that is missing or of the wrong kind (classes vs values).',
    fix: 'Pick another column with `target`, or change the task’s `type`.',
  },
  GRAFT_NAN_LOSS: {
    title: 'Loss became NaN or infinite',
    when: 'Training diverged; the run stops and the last checkpoint is kept.',
    fix: 'Lower `lr`, set `clipNorm`, or check the data for NaN or infinite values.',
  },
  GRAFT_OUT_OF_MEMORY: {
    title: 'Out of memory',
    when: 'A backend could not allocate a tensor (the wasm heap is limited to 4 GiB).',
    fix: 'Lower `batchSize` or the input size, or use another backend.',
  },
  GRAFT_INTERRUPTED: {
    title: 'Training stopped on request',
    when: 'SIGINT (Ctrl-C) or SIGTERM reached `graft train`: it stopped at the next step boundary, wrote the checkpoint and exited with code 130.',
    fix: 'Continue exactly where it stopped with `graft train -c FILE --resume` (same config).',
  },
  GRAFT_RUN_LOCKED: {
    title: 'Run folder is in use',
    when: 'Another Graft process holds the lock of the run’s output folder; two runs there would mix their metrics and checkpoints.',
    fix: 'Wait for the other run, stop it, or give this run another `name` or `output.dir`. A lock left by a dead process is taken over automatically.',
  },
  GRAFT_FILE_ACCESS: {
    title: 'A file could not be read or written',
    when: 'The operating system refused a file operation: no permission, a read-only or full disk, a path too long.',
    fix: 'Choose a writable location (`output.dir`, `GRAFT_CACHE`) or fix the permissions.',
  },
  GRAFT_DOWNLOAD: {
    title: 'Download failed',
    when: 'A model or dataset file could not be fetched, was too large, or did not match its pinned checksum (it is never cached then).',
    fix: 'Connect to the network, retry, or point `GRAFT_MIRROR` at a folder or server holding a copy.',
  },
  GRAFT_INVALID_ARGUMENT: {
    title: 'Invalid argument',
    when: 'A function of Graft’s API was called with a value it cannot accept.',
    fix: 'Check the value named in the message against the API reference.',
  },
  GRAFT_SEARCH_INVALID: {
    title: 'Search settings are invalid',
    when: 'The `search` block names a path the config does not have, a range of the wrong type or order, an empty grid or list, a grid over a continuous range, more folds than the smallest class has samples, a metric the task lacks; or a study already exists and neither `--resume` nor `--fresh` was given.',
    fix: 'Correct the entry named in the message (`graft schema` lists the `search` options), or pass `--resume` / `--fresh`.',
  },
  GRAFT_SEARCH_CONFIG_MISMATCH: {
    title: 'Study or worker config differs',
    when: 'A resumed study, or a queue worker, has a config whose hash differs from the one the study started with: trials scored under other settings cannot be compared.',
    fix: 'Use the same config file (a shared path) everywhere, or start a new study with `--fresh`.',
  },
  GRAFT_SEARCH_FAILED: {
    title: 'No trial finished',
    when: 'Every trial of the study failed or was pruned, so there is no best configuration to retrain.',
    fix: 'Read the failures in the message and in `study.jsonl` (often a learning-rate range that diverges), then run the study again with `--fresh`.',
  },
  GRAFT_QUEUE_UNREACHABLE: {
    title: 'Queue (Redis) unreachable',
    when: '`graft search --queue` or `graft worker --queue` could not connect to the Redis server at the URL given.',
    fix: 'Start Redis (`redis-server`, or your managed instance), check the URL (`redis://HOST:PORT`), and that this machine can reach it.',
  },
  GRAFT_USAGE: {
    title: 'Invalid command-line usage',
    when: 'A command-line option or argument is missing, unknown or out of range.',
    fix: 'Run the command with `--help` for its usage.',
  },
};
