import type { HistoryEntry, StepProgress, TrainCallbacks } from '@graft/core';

/**
 * Progress on stderr: a single redrawn line (stage, epoch, step, loss, ETA) on a terminal, one plain line
 * per epoch otherwise (CI logs, pipes).
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): TrainCallbacks {
  const tty = Boolean(stream.isTTY);
  let epochStart = Date.now();
  let lastDraw = 0;
  return {
    onStep(p: StepProgress) {
      if (p.step === 0) epochStart = Date.now();
      if (!tty) return;
      const now = Date.now();
      if (now - lastDraw < 100 && p.step + 1 < p.stepsPerEpoch) return;
      lastDraw = now;
      const perStep = (now - epochStart) / (p.step + 1);
      const eta = Math.round((perStep * (p.stepsPerEpoch - p.step - 1)) / 1000);
      const width = 20;
      const filled = Math.round(((p.step + 1) / p.stepsPerEpoch) * width);
      stream.write(
        `\r${p.stageName} · epoch ${p.epoch + 1}/${p.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${p.step + 1}/${p.stepsPerEpoch} · loss ${p.loss.toFixed(4)} · ETA ${eta}s\x1b[K`,
      );
    },
    onEpochEnd(e: HistoryEntry) {
      if (tty) stream.write('\r\x1b[K');
      stream.write(`${e.stageName} · epoch ${e.epoch + 1} · loss ${e.loss.toFixed(4)}${summarise(e.metrics)} · ${e.seconds.toFixed(1)}s\n`);
    },
  };
}

function summarise(metrics: HistoryEntry['metrics']): string {
  const parts = Object.entries(metrics).map(([task, m]) => {
    const shown = Object.entries(m).filter(([k, v]) => typeof v === 'number' && k !== 'mse').map(([k, v]) => `${k} ${(v as number).toFixed(4)}`);
    return `${task}: ${shown.join(', ')}`;
  });
  return parts.length > 0 ? ` · val ${parts.join('; ')}` : '';
}
