import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { cachePathFor, mirrorPlaces, type Resource } from '@graft/core/internal';
import { fashionMnistFile, FASHION_MNIST_NAMES, sklearnDigitsFile } from '@graft/vision';
import { penguinsFile } from '@graft/tabular';
import { runCli } from '../test-utils/run-cli.js';
import { copyRuntimePackages } from '../test-utils/world-readable.js';

/**
 * The real public files, served on loopback from Debian's copies (scripts/test-assets.sh installs or
 * unpacks them) as a mirror in the cache's layout: `<mirror>/<host>/<path>`. Missing copies: the tests
 * skip, except in CI where they fail.
 */
const root = resolve(__dirname, '../../../..');
const files: Resource[] = [...FASHION_MNIST_NAMES.map(fashionMnistFile), sklearnDigitsFile(), penguinsFile()];
const copies = files.map((f) => f.localCopies!.find((p) => existsSync(p)));
const ready = copies.every((c) => c !== undefined) || !!process.env.CI;
if (!ready) console.warn('Skipping the dataset download tests: Debian copies of the public files are missing (run scripts/test-assets.sh as root).');

let server: Server;
let mirror = '';
let requests: string[] = [];
const routes = new Map<string, Uint8Array>();
const damaged = new Map<string, 'corrupt' | 'truncated'>();

beforeAll(async () => {
  if (!ready) return;
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': String(body.length) });
    const how = damaged.get(req.url ?? '');
    if (how === 'truncated') return void res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    res.end(how === 'corrupt' ? body.map((b, i) => (i === 100 ? b ^ 0xff : b)) : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  files.forEach((f, i) => routes.set(new URL(mirrorPlaces(new URL(f.url), mirror)[0]!).pathname, readFileSync(copies[i]!)));
});
afterAll(() => (server ? new Promise<void>((r) => server.close(() => r())) : undefined));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  damaged.clear();
});

/** An environment where no Debian copy is visible: an empty Debian root and a fresh cache. */
function isolated(): { cache: string } {
  const cache = mkdtempSync(join(tmpdir(), 'graft-data-cache-'));
  vi.stubEnv('GRAFT_CACHE', cache);
  vi.stubEnv('GRAFT_DEBIAN_ROOT', mkdtempSync(join(tmpdir(), 'graft-no-debian-')));
  vi.stubEnv('GRAFT_MIRROR', mirror);
  vi.stubEnv('GRAFT_MODEL_MIRROR', '');
  return { cache };
}

const run = runCli;

describe.skipIf(!ready)('graft data, against a mirror on loopback serving the real files', () => {
  it('downloads and verifies every file once, then lists them in the cache and fetches again with no request', async () => {
    const { cache } = isolated();
    requests = [];
    // text/spam-assassin's archives are tested on their own (packages/plugins/text): their pins are upstream's,
    // and upstream's archives are not on this machine to serve.
    const first = await run('data', 'fetch', 'vision/fashion-mnist', 'vision/digits', 'tabular/penguins');
    expect(first.stderr).not.toContain('GRAFT_'); // a terminal running the tests may show progress lines there
    expect(first.code).toBe(0);
    expect(requests.sort()).toEqual([...routes.keys()].sort());
    for (const f of files) expect(first.stdout).toContain(cachePathFor(new URL(f.url), cache));

    requests = [];
    expect((await run('data', 'fetch', 'vision/fashion-mnist', 'tabular/penguins', 'vision/digits')).code).toBe(0);
    const listed = await run('data', 'ls', '--json');
    expect(requests).toEqual([]);
    const all: { dataset: string; url: string }[] = JSON.parse(listed.stdout).files;
    expect(JSON.parse(listed.stdout).local.map((l: { dataset: string }) => l.dataset)).toEqual(['vision/font-digits']);
    expect((await run('data', 'ls')).stdout).toContain('Read from this machine, not downloaded:\n  vision/font-digits: the font files installed here (`fontDirs`');
    const rows = all.filter((r) => r.dataset !== 'text/spam-assassin');
    expect(all.filter((r) => r.dataset === 'text/spam-assassin').map((r) => r.url.split('/').pop())).toEqual([
      '20030228_easy_ham.tar.bz2', '20030228_easy_ham_2.tar.bz2', '20030228_hard_ham.tar.bz2', '20030228_spam.tar.bz2', '20050311_spam_2.tar.bz2',
    ]);
    expect(rows.map((r: { location: string }) => r.location)).toEqual(files.map((f) => cachePathFor(new URL(f.url), cache)));
    expect(rows.map((r: { bytes: number }) => r.bytes)).toEqual(copies.map((c) => readFileSync(c!).length));
  });

  it.each(['corrupt', 'truncated'] as const)('refuses a %s download and caches nothing', async (how) => {
    const { cache } = isolated();
    const file = penguinsFile();
    damaged.set(new URL(mirrorPlaces(new URL(file.url), mirror)[0]!).pathname, how);
    const { code, stderr } = await run('data', 'fetch', 'tabular/penguins');
    expect(code).toBe(1);
    expect(stderr).toMatch(how === 'corrupt' ? /GRAFT_DOWNLOAD: Palmer penguins penguins\.csv from http:\/\/127\.0\.0\.1:\d+\/.* does not match its pinned checksum/ : /GRAFT_DOWNLOAD: (The download of Palmer penguins|http:.* sent \d+ of the \d+ bytes)/);
    expect(existsSync(cachePathFor(new URL(file.url), cache))).toBe(false);
  });

  it('names the URL and the mirror setting when the mirror cannot be reached', async () => {
    isolated();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    vi.stubEnv('GRAFT_MIRROR', `http://127.0.0.1:${port}`);
    const { code, stderr } = await run('data', 'fetch', 'tabular/penguins');
    expect(code).toBe(1);
    expect(stderr).toContain(
      `GRAFT_DOWNLOAD: Could not download Palmer penguins penguins.csv from http://127.0.0.1:${port}/raw.githubusercontent.com/allisonhorst/palmerpenguins/main/inst/extdata/penguins.csv. ` +
        `The request failed with ECONNREFUSED. Check the mirror http://127.0.0.1:${port} (GRAFT_MIRROR).`,
    );
  });

  it("loads the demo's data as an unprivileged user with a fresh HOME and no Debian data readable", async () => {
    const home = mkdtempSync(join(tmpdir(), 'graft-nobody-'));
    const noDebian = join(home, 'no-debian');
    mkdirSync(noDebian);
    chmodSync(home, 0o777);
    // The user may not be able to enter the checkout (a clone in `mktemp -d`): what the script imports is
    // copied, built as `npm test` leaves it, into a folder every user can read, and the script runs from there.
    const app = mkdtempSync(join(tmpdir(), 'graft-nobody-app-'));
    onTestFinished(() => rmSync(app, { recursive: true, force: true }));
    copyRuntimePackages(['@graft/vision', '@graft/core'], root, app);
    // The demo's data path: vision/fashion-mnist as examples/fashion-mnist-transfer.yaml configures it.
    const script = [
      "import { fashionMnist } from '@graft/vision';",
      "import { nodeEnvironment, silentLogger } from '@graft/core/internal';",
      'const o = fashionMnist.options.parse({ testSize: 1000 });',
      "const d = await fashionMnist.load(o, { configDir: process.cwd(), seed: 0, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' });",
      'console.log(JSON.stringify({ uid: process.getuid(), train: d.train.size, test: d.test.size }));',
    ].join('\n');
    const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    const env = { PATH: process.env.PATH!, HOME: home, GRAFT_MIRROR: mirror, GRAFT_DEBIAN_ROOT: noDebian };
    const [cmd, ...args] = [...asNobody, process.execPath, '--input-type=module', '-e', script];
    // Asynchronously: the mirror serving it lives in this process.
    const out = await promisify(execFile)(cmd!, args, { cwd: app, env, encoding: 'utf8', timeout: 60_000 });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout);
    expect(result).toEqual({ uid: asNobody.length > 0 ? 65534 : process.getuid?.(), train: 60000, test: 1000 });
    // Downloaded into the user's own cache, nowhere else.
    for (const name of FASHION_MNIST_NAMES) expect(existsSync(cachePathFor(new URL(fashionMnistFile(name).url), join(home, '.cache', 'graft')))).toBe(true);
  });
});
