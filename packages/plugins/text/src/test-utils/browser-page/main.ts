// A page that fine-tunes BERT with @graft/text's browser entry (chosen by the `browser` export condition):
// the model by URL (`?model=`), the texts from the page's memory, artifacts in memory. browser.chromium.test.ts
// builds it with Vite and drives it in Debian's Chromium; the outcome is left on `window.graftResult`.
import { createBrowserRuntime, memoryFileStore } from '@graft/core/browser';
import strategies from '@graft/strategies';
import text from '@graft/text';

const POSITIVE = ['great movie', 'loved it', 'wonderful acting', 'a great story', 'really wonderful', 'loved the music', 'great fun', 'wonderful and great'];
const NEGATIVE = ['awful movie', 'hated it', 'terrible acting', 'a boring story', 'really awful', 'hated the music', 'boring mess', 'terrible and awful'];

export interface PageResult {
  losses?: number[];
  accuracy?: number;
  artifacts?: string[];
  /** URLs the Cache API holds after the run. */
  cached?: string[];
  /** The run's checkpoint, base64: what the page would offer as a download. */
  checkpoint?: string;
  /** Class probabilities of the training texts, predicted in the page from that checkpoint. */
  probabilities?: number[];
  error?: string;
}

const page = window as unknown as { graftResult?: PageResult };

async function main(): Promise<PageResult> {
  const model = new URLSearchParams(location.search).get('model');
  if (!model) throw new Error('give ?model=<base URL of the BERT folder>');
  const files = memoryFileStore();
  const rows = [...POSITIVE, ...NEGATIVE].map((t, i) => JSON.stringify({ text: t, label: i < POSITIVE.length ? 'pos' : 'neg' }));
  await files.write('/reviews.jsonl', rows.join('\n'));
  const artifacts = memoryFileStore();
  const runtime = createBrowserRuntime({ plugins: [strategies, text], environment: { files, artifacts } });
  const run = await runtime.load({
    backend: 'cpu',
    seed: 1,
    source: { use: 'text/bert', url: model, pooling: 'mean' },
    tasks: [{ name: 'sentiment', data: { use: 'text/jsonl', path: 'reviews.jsonl', maxLength: 8, testFraction: 0 } }],
    stages: [
      { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 4 },
      { use: 'fine-tune', epochs: 4, lr: 0.01, batchSize: 4 },
    ],
    output: { dir: '/runs/sentiment' },
  });
  const result = await run.train();
  const cache = await caches.open('graft-resources');
  const trained = await runtime.openTrained('/runs/sentiment');
  const predicted = await trained.predict({ split: 'train', limit: rows.length });
  trained.dispose();
  const bytes = (await artifacts.read('/runs/sentiment/checkpoint.graft'))!;
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return {
    losses: result.history.map((h) => h.loss),
    accuracy: result.final.metrics.sentiment?.accuracy,
    artifacts: artifacts.paths(),
    cached: (await cache.keys()).map((r) => r.url).sort(),
    checkpoint: btoa(binary),
    probabilities: predicted.flatMap((t) => t.predictions.flatMap((p) => Object.values((p as { probabilities: Record<string, number> }).probabilities))),
  };
}

main().then(
  (r) => {
    page.graftResult = r;
    document.getElementById('status')!.textContent = 'Done';
  },
  (e: unknown) => {
    page.graftResult = { error: e instanceof Error ? e.message : String(e) };
  },
);
