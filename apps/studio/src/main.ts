import { indexedDbFileStore, type HistoryEntry } from '@graft/core';
import { Camera } from './camera.js';
import { saveRun } from './saved-runs.js';
import { showSavedRuns } from './saved-runs-view.js';
import { DEFAULT_MODEL_URL, describeError, Studio, type StrategyChoice } from './studio.js';

const studio = new Studio();
const camera = new Camera(document.getElementById('camera') as HTMLVideoElement);
/** Captures so far, for unique file names. */
let captures = 0;
/** Finished runs, kept in IndexedDB so they survive a reload. */
const saved = indexedDbFileStore({ database: 'graft-studio' });
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const declared: string[] = [];
const history: HistoryEntry[] = [];
/** When each epoch ended (ms), for measuring steps per second in the page. */
const epochEnds: number[] = [];
/** When each training step ended (ms), as the worker reported it. */
const stepEnds: number[] = [];

$<HTMLInputElement>('model-url').value = new URLSearchParams(location.search).get('model') ?? DEFAULT_MODEL_URL;
$<HTMLInputElement>('mirror').value = new URLSearchParams(location.search).get('mirror') ?? '';

function showError(error: unknown): void {
  $('error').textContent = describeError(error);
}

/** Decode first, so a file the browser cannot read as an image is refused when it is added. */
async function addFiles(className: string, list: FileList | null | undefined): Promise<void> {
  const files = Array.from(list ?? []);
  $('error').textContent = '';
  const refused: string[] = [];
  for (const file of files) {
    try {
      (await createImageBitmap(file)).close();
    } catch {
      refused.push(file.name);
      continue;
    }
    await studio.addImage(className, file.name, new Uint8Array(await file.arrayBuffer()));
  }
  if (refused.length > 0) $('error').textContent = `Not an image this browser can decode, so not added: ${refused.join(', ')}`;
  await renderClasses();
}

async function renderClasses(): Promise<void> {
  const box = $('classes');
  box.replaceChildren();
  for (const name of declared) {
    const files = await studio.files.list(`/data/${name}`);
    const div = document.createElement('div');
    div.className = 'class';
    div.dataset.class = name;
    const title = document.createElement('strong');
    title.textContent = `${name} (${files.length} images) `;
    const picker = document.createElement('input');
    picker.type = 'file';
    picker.multiple = true;
    picker.accept = 'image/*';
    picker.addEventListener('change', () => void addFiles(name, picker.files));
    const capture = Object.assign(document.createElement('button'), { type: 'button', className: 'capture', textContent: 'Capture from camera' });
    capture.addEventListener('click', async () => {
      $('error').textContent = '';
      try {
        const bytes = await camera.capture();
        await studio.addImage(name, `camera-${String(++captures).padStart(4, '0')}.png`, bytes);
        await renderClasses();
      } catch (error) {
        showError(error);
      }
    });
    div.append(title, picker, capture, document.createElement('br'));
    for (const f of files.slice(0, 24)) {
      const bytes = await studio.files.read(`/data/${name}/${f}`);
      const img = document.createElement('img');
      img.src = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      img.alt = f;
      div.append(img);
    }
    div.addEventListener('dragover', (e) => (e.preventDefault(), div.classList.add('over')));
    div.addEventListener('dragleave', () => div.classList.remove('over'));
    div.addEventListener('drop', (e) => {
      e.preventDefault();
      div.classList.remove('over');
      void addFiles(name, e.dataTransfer?.files);
    });
    box.append(div);
  }
}

$('add-class-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('class-name');
  const name = input.value.trim().replace(/[/\\]/g, '_');
  if (!name) return;
  if (!declared.includes(name)) declared.push(name);
  input.value = '';
  void renderClasses();
});

$('load-sample').addEventListener('click', async () => {
  try {
    const index = (await (await fetch('samples/index.json')).json()) as Record<string, string[]>;
    for (const [name, files] of Object.entries(index)) {
      if (!declared.includes(name)) declared.push(name);
      for (const f of files) await studio.addImage(name, f, new Uint8Array(await (await fetch(`samples/${name}/${f}`)).arrayBuffer()));
    }
    await renderClasses();
    $('status').textContent = `Sample set loaded: ${Object.keys(index).length} classes.`;
  } catch (error) {
    showError(error);
  }
});

/** Draw the saved runs list (after a save, a delete, and when the page opens). */
function renderSavedRuns(): Promise<void> {
  return showSavedRuns(saved, $('saved-runs'), $('saved-note'), renderSavedRuns);
}
void renderSavedRuns();

function drawCurves(): void {
  const canvas = $<HTMLCanvasElement>('curves');
  const g = canvas.getContext('2d')!;
  g.clearRect(0, 0, canvas.width, canvas.height);
  const accuracy = history.map((h) => Number((h.metrics?.images as { accuracy?: number } | undefined)?.accuracy ?? NaN));
  const series: [string, number[], number][] = [
    ['loss', history.map((h) => h.loss), Math.max(...history.map((h) => h.loss), 1e-6)],
    // Only when the run holds out a validation split (the page's does not: its few images train and test).
    ...(accuracy.some(Number.isFinite) ? [['validation accuracy', accuracy, 1] as [string, number[], number]] : []),
  ];
  series.forEach(([label, values, max], k) => {
    g.strokeStyle = k === 0 ? '#c33' : '#27a';
    g.fillStyle = g.strokeStyle;
    g.fillText(label, 10, 14 + 14 * k);
    g.beginPath();
    values.forEach((v, i) => {
      const x = 10 + (i / Math.max(1, values.length - 1)) * (canvas.width - 20);
      const y = canvas.height - 10 - (v / max) * (canvas.height - 40);
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.stroke();
  });
}

$('train').addEventListener('click', async () => {
  const button = $<HTMLButtonElement>('train');
  button.disabled = true;
  $('error').textContent = '';
  $('accuracy').textContent = '';
  // Nothing of the previous run may pass for this one's.
  for (const id of ['accuracy', 'curves', 'status']) for (const key of Object.keys($(id).dataset)) delete $(id).dataset[key];
  $('confusion').replaceChildren();
  $('downloads').hidden = true;
  history.length = 0;
  epochEnds.length = 0;
  stepEnds.length = 0;
  try {
    await studio.check(declared);
    const settings = {
      strategy: $<HTMLSelectElement>('strategy').value as StrategyChoice,
      epochs: Number($<HTMLInputElement>('epochs').value),
      inputSize: Number($<HTMLSelectElement>('input-size').value),
    };
    const report = await studio.train({
      ...settings,
      backend: $<HTMLSelectElement>('backend').value,
      modelUrl: $<HTMLInputElement>('model-url').value,
      mirror: $<HTMLInputElement>('mirror').value || undefined,
      onNote: (text) => void ($('backend-note').textContent = text),
      onStep: (p) => {
        stepEnds.push(performance.now());
        $('status').textContent = `${p.stageName}, epoch ${p.epoch + 1}/${p.epochs}: step ${p.step + 1}/${p.stepsPerEpoch}, loss ${p.loss.toFixed(4)}`;
      },
      onEpoch: (entry) => {
        history.push(entry);
        $('curves').dataset.losses = JSON.stringify(history.map((h) => h.loss));
        epochEnds.push(performance.now());
        $('curves').dataset.epochEnds = JSON.stringify(epochEnds);
        $('curves').dataset.stepEnds = JSON.stringify(stepEnds);
        $('status').textContent = `${entry.stageName}, epoch ${entry.epoch + 1}: loss ${entry.loss.toFixed(4)}`;
        drawCurves();
      },
    });
    $('status').textContent = `Trained on ${report.backend} in ${report.seconds.toFixed(1)} s.`;
    $('status').dataset.seconds = String(report.seconds);
    $('accuracy').textContent = `Test accuracy: ${(report.accuracy * 100).toFixed(1)}%`;
    $('accuracy').dataset.value = String(report.accuracy);
    $('accuracy').dataset.predictions = JSON.stringify(report.testPredictions);
    const table = $('confusion');
    const head = document.createElement('tr');
    head.append(...['truth \\ predicted', ...report.classes].map((c) => Object.assign(document.createElement('th'), { textContent: c })));
    table.append(head);
    report.confusion.forEach((row, i) => {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { textContent: report.classes[i] }), ...row.map((n) => Object.assign(document.createElement('td'), { textContent: String(n) })));
      table.append(tr);
    });
    const link = $<HTMLAnchorElement>('download-checkpoint');
    link.href = URL.createObjectURL(new Blob([report.checkpoint as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    $<HTMLAnchorElement>('download-tfjs').href = URL.createObjectURL(new Blob([report.tfjsModel as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    $('downloads').hidden = false;
    await saveRun(saved, report, settings).then(renderSavedRuns, (error: unknown) => void ($('saved-note').textContent = `This run was not kept across reloads: ${describeError(error)}`));
  } catch (error) {
    showError(error);
    $('status').textContent = 'Training did not run.';
  } finally {
    button.disabled = false;
  }
});
