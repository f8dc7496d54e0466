import { GraftError } from '../../errors.js';
import type { Resource } from '../environment.js';

/** Where a download's progress is drawn: a terminal, or nothing. */
export interface ProgressTarget {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * The body of `url`, streamed with the size cap checked as bytes arrive and a progress line on a
 * terminal; undefined for a 404 when `missingIsUndefined` (a mirror without that file).
 */
export async function downloadBytes(
  url: URL,
  resource: Resource,
  options: { progress?: ProgressTarget; missingIsUndefined?: boolean; fix: string; why?: string },
): Promise<Uint8Array | undefined> {
  const label = resource.label ?? url.href;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (cause) {
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `Could not download ${label} from ${url.href}`,
      why: `${reason(cause)}${options.why ? `; ${options.why}` : ''}.`,
      fix: options.fix,
      cause,
    });
  }
  if (response.status === 404 && options.missingIsUndefined) return undefined;
  if (!response.ok) {
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `The server answered ${response.status} for ${url.href} (${label})`,
      why: options.why,
      fix: options.fix,
    });
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const tooBig = (bytes: number) =>
    new GraftError('GRAFT_DOWNLOAD', { what: `${url.href} sent ${bytes} bytes or more, over the ${resource.maxBytes}-byte limit for ${label}`, fix: 'Check the URL and the mirror' });
  if (resource.maxBytes !== undefined && declared > resource.maxBytes) throw tooBig(declared);
  const bar = progressLine(label, Number.isFinite(declared) ? declared : undefined, options.progress);
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (!response.body) throw new Error('the response has no body');
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      if (resource.maxBytes !== undefined && received > resource.maxBytes) throw tooBig(received);
      chunks.push(chunk);
      bar.update(received);
    }
  } catch (cause) {
    if (cause instanceof GraftError) throw cause;
    throw new GraftError('GRAFT_DOWNLOAD', { what: `The download of ${label} from ${url.href} broke off after ${received} bytes`, why: `${reason(cause)}.`, fix: 'Try again', cause });
  } finally {
    bar.done();
  }
  if (Number.isFinite(declared) && received !== declared) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `${url.href} sent ${received} of the ${declared} bytes it announced (${label})`, why: 'The transfer was cut short; nothing was cached.', fix: 'Try again' });
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/** `label  12.3 / 26.4 MB  46%`, redrawn at most ten times a second, only on a terminal. */
function progressLine(label: string, total: number | undefined, target: ProgressTarget | undefined): { update(bytes: number): void; done(): void } {
  if (!target?.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const draw = (bytes: number) => {
    const of = total ? ` / ${mb(total)} MB  ${Math.floor((100 * bytes) / total)}%` : ' MB';
    target.write(`\r\x1b[2KDownloading ${label}  ${mb(bytes)}${of}`);
    drawn = true;
  };
  return {
    update(bytes) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(bytes);
    },
    done() {
      if (drawn) target.write('\r\x1b[2K');
    },
  };
}

function reason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  if (inner?.code) return `The request failed with ${inner.code}`;
  if ((cause as Error)?.name === 'TimeoutError') return 'The request timed out';
  return `The request failed (${[(cause as Error)?.message ?? String(cause), inner?.message].filter(Boolean).join(': ')})`;
}
