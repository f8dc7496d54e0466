/** Where a run's human-readable messages go. The CLI prints them to stderr; tests collect them. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** A logger that drops everything: the default for library use. */
export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

/** A logger that writes to stderr, so stdout stays free for `--json` output. */
export function stderrLogger(verbose = false): Logger {
  return {
    info: (m) => process.stderr.write(`${m}\n`),
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
    debug: (m) => {
      if (verbose) process.stderr.write(`${m}\n`);
    },
  };
}
