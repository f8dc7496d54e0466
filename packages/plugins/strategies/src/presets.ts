import type { ComparePreset } from '@graft/core';

const reference = 'Howard & Ruder 2018, ULMFiT, Table 6';

function withoutEpochs(base: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { epochs: _epochs, ...rest } = base;
  return rest;
}

/** ULMFiT's comparison rows as `graft compare` entries, built on the config's first stage. */
export const comparePresets: ComparePreset[] = [
  { name: 'last', description: 'Train only the new head (linear probe).', reference, stages: (b) => [{ ...b, use: 'linear-probe' }] },
  { name: 'full', description: 'Fine-tune every layer at one rate.', reference, stages: (b) => [{ ...b, use: 'fine-tune' }] },
  {
    name: 'full+discr',
    description: 'Fine-tune every layer, rates divided by 2.6 per group below the top.',
    reference,
    stages: (b) => [{ ...b, use: 'fine-tune', discriminative: { factor: 2.6 } }],
  },
  { name: 'gradual', description: 'Gradual unfreezing, one group per epoch.', reference, stages: (b) => [{ ...withoutEpochs(b), use: 'gradual-unfreeze' }] },
  {
    name: 'gradual+discr+stlr',
    description: 'Gradual unfreezing with discriminative rates and slanted triangular schedule (full ULMFiT).',
    reference,
    stages: (b) => [{ ...withoutEpochs(b), use: 'gradual-unfreeze', discriminative: { factor: 2.6 }, schedule: 'slanted-triangular' }],
  },
  {
    name: 'lp-ft',
    description: 'Linear probe, then fine-tune (Kumar et al. 2022).',
    reference: 'Kumar et al. 2022, Fine-Tuning can Distort Pretrained Features',
    stages: (b) => [
      { ...b, use: 'linear-probe' },
      { ...b, use: 'fine-tune' },
    ],
  },
];
