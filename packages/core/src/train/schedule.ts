import type { StageOptions } from '../config/stage-options.js';

/**
 * The learning-rate factor (peak = 1) at `step` of a stage of `total` steps.
 * - linear-warmup: linear rise over `warmup` (default 10%), then constant;
 * - cosine: optional linear warm-up, then half a cosine down to `minFactor`;
 * - one-cycle (Smith & Topin 2017): cosine rise from 1/ratio over `cutFrac` (0.3), cosine fall to ~0;
 * - slanted-triangular (Howard & Ruder 2018, eq. 3): linear rise over `cutFrac` (0.1) from 1/ratio (32),
 *   then linear decay back to 1/ratio.
 */
export function scheduleFactor(schedule: StageOptions['schedule'], step: number, total: number): number {
  const t = total <= 1 ? 0 : Math.min(step, total - 1) / (total - 1);
  switch (schedule.name) {
    case 'constant':
      return 1;
    case 'linear-warmup': {
      const warmupSteps = Math.max(1, Math.round((schedule.warmup ?? 0.1) * total));
      return Math.min(1, (step + 1) / warmupSteps);
    }
    case 'cosine': {
      const w = schedule.warmup ?? 0;
      const min = schedule.minFactor ?? 0;
      if (w > 0 && t < w) return t / w;
      const p = w >= 1 ? 1 : (t - w) / (1 - w);
      return min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
    case 'one-cycle': {
      const cut = schedule.cutFrac ?? 0.3;
      const ratio = schedule.ratio ?? 25;
      const low = 1 / ratio;
      if (t < cut) return low + (1 - low) * 0.5 * (1 - Math.cos((Math.PI * t) / cut));
      const p = (t - cut) / (1 - cut);
      const end = low / 1e4;
      return end + (1 - end) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
    case 'slanted-triangular': {
      const cut = schedule.cutFrac ?? 0.1;
      const ratio = schedule.ratio ?? 32;
      const p = t < cut ? t / cut : 1 - (t - cut) / (1 - cut);
      return (1 + p * (ratio - 1)) / ratio;
    }
  }
}
