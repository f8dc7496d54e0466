import type { Weighting } from '@graft/core';
import { cagrad } from './cagrad.js';
import { dwa } from './dwa.js';
import { gradnorm } from './gradnorm.js';
import { mgda } from './mgda.js';
import { pcgrad } from './pcgrad.js';
import { rlw } from './rlw.js';
import { staticWeighting } from './static.js';
import { uncertainty } from './uncertainty.js';

export { cagrad, dwa, gradnorm, mgda, pcgrad, rlw, staticWeighting, uncertainty };

/** Every multi-task weighting of @graft/strategies, loss weightings first (`equal` is core's). */
export const weightings: Weighting[] = [staticWeighting, uncertainty, dwa, rlw, gradnorm, pcgrad, mgda, cagrad];
