import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import Bunzip from 'seek-bzip';
import { unpackTar } from 'modern-tar';
import { cachePathFor, GraftError, type Resource, type ResourceStore } from '@graft/core';

/** The corpus's message groups, as `text/spam-assassin` names them. */
export type SpamAssassinGroup = 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';

/** The public home of the corpus (Apache SpamAssassin's old public corpus, readme.html there). */
export const SPAM_ASSASSIN_BASE_URL = 'https://spamassassin.apache.org/old/publiccorpus/';

/**
 * Each group's archive and its sha256. The digests are not computed here (this machine has no copy of the
 * archives): they are the ones several independent public projects pin for these five files, all agreeing.
 */
const ARCHIVES: Record<SpamAssassinGroup, { file: string; sha256: string }> = {
  'easy-ham-1': { file: '20030228_easy_ham.tar.bz2', sha256: '2b7b65904bcfcc31d2b5f51946f2d261370b257402cbbd62930b46ab83367438' },
  'easy-ham-2': { file: '20030228_easy_ham_2.tar.bz2', sha256: 'b4bd3dc5ae5b40f38e99a0e41ad7d16b428b56e818e3a6ffa07330d62004dd38' },
  'hard-ham-1': { file: '20030228_hard_ham.tar.bz2', sha256: 'ce2ce67880643dbde65ea7f85bffbfe4417349c4bd80b6b0de56262ae6b0a9c9' },
  'spam-1': { file: '20030228_spam.tar.bz2', sha256: 'c08debc32413804949a866be45ef78195cec2cbafd1da744ed76cdb860589743' },
  'spam-2': { file: '20050311_spam_2.tar.bz2', sha256: '44280a0e28bf7645b2279e8e42659271ad82c6f40bf8d364dbda7f1df344a765' },
};

/** The largest archive is about 1.7 MB; its tar about 15 MB; one mail under 1 MB. */
const MAX_ARCHIVE_BYTES = 8_000_000;
const MAX_TAR_BYTES = 64_000_000;
const MAX_MAIL_BYTES = 4_000_000;

/**
 * A mail's name in the corpus: its number and an MD5. Not checked against the bytes: the archive's sha256
 * is, and in npm's copy one hard_ham mail (00230) no longer matches the MD5 its name carries.
 */
const MAIL_NAME = /^\d+\.[0-9a-f]{32}$/;

/** The pinned archive of one message group. */
export function spamAssassinArchive(group: SpamAssassinGroup): Resource {
  const { file, sha256 } = ARCHIVES[group];
  return { url: `${SPAM_ASSASSIN_BASE_URL}${file}`, sha256, maxBytes: MAX_ARCHIVE_BYTES, label: `SpamAssassin ${file}` };
}

/** A folder of one group's mails, each named `NNNNN.<md5>` (plus `suffix`), and the names in order. */
export interface MailFolder {
  dir: string;
  names: string[];
}

/** Where a group's archive is unpacked: `<cache>/extracted/<host>/<path without .tar.bz2>`. */
export function extractedDirFor(archive: Resource, cacheRoot: string): string {
  const cached = relative(join(cacheRoot, 'resources'), cachePathFor(new URL(archive.url), cacheRoot));
  return join(cacheRoot, 'extracted', cached.replace(/\.tar\.bz2$/, ''));
}

/**
 * The mails of one group, unpacked in the cache. The first use gets the archive through `resources`
 * (cache, mirror, network; checked against its pin), decodes it (size-capped), takes only plain files named
 * like mails, and renames the finished folder into place, so a half-unpacked group is never read.
 */
export async function spamAssassinMails(archive: Resource, resources: ResourceStore, cacheRoot: string): Promise<MailFolder> {
  const dir = extractedDirFor(archive, cacheRoot);
  const done = await readFile(join(dir, '.sha256'), 'utf8').catch(() => undefined);
  if (done !== undefined && pins(archive).includes(done.trim())) return { dir, names: await mailNames(dir) };
  const bytes = await resources.get(archive);
  const mails = await unpackMails(bytes, archive);
  const partial = `${dir}.partial-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(partial, { recursive: true });
    for (const [name, data] of mails) await writeFile(join(partial, name), data);
    await writeFile(join(partial, '.sha256'), `${sha256(bytes)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  } catch (cause) {
    await rm(partial, { recursive: true, force: true });
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `Could not unpack ${archive.label} into the cache`,
      where: dirname(dir),
      why: (cause as Error).message,
      fix: 'Set GRAFT_CACHE to a writable folder with some 50 MB free',
      cause,
    });
  }
  return { dir, names: [...mails.keys()].sort() };
}

/** The mails of a verified archive by name; anything that is not a mail of the corpus is refused. */
async function unpackMails(bytes: Uint8Array, archive: Resource): Promise<Map<string, Uint8Array>> {
  const refuse = (what: string, cause?: unknown) =>
    new GraftError('GRAFT_DOWNLOAD', { what: `${archive.label}: ${what}`, fix: 'Delete it from the cache and the mirror, and fetch it again', cause });
  let tar: Uint8Array;
  try {
    tar = bunzip(bytes, MAX_TAR_BYTES);
  } catch (cause) {
    throw refuse(`not a bzip2 archive within ${MAX_TAR_BYTES} bytes (${(cause as Error).message})`, cause);
  }
  const entries = await unpackTar(tar).catch((cause: unknown) => {
    throw refuse(`not a tar archive (${(cause as Error).message})`, cause);
  });
  const mails = new Map<string, Uint8Array>();
  for (const { header, data } of entries) {
    if (header.type === 'directory') continue;
    const name = header.name.split('/').pop()!;
    if (name === 'cmds') continue; // The corpus's own renaming script, not a mail.
    if (header.type !== 'file' || !MAIL_NAME.test(name) || !data) throw refuse(`"${header.name}" (${header.type}) is not a mail of the corpus (a file NNNNN.<md5>)`);
    if (data.length > MAX_MAIL_BYTES) throw refuse(`"${header.name}" has ${data.length} bytes, over ${MAX_MAIL_BYTES}`);
    mails.set(name, data);
  }
  if (mails.size === 0) throw refuse('holds no mails');
  return mails;
}

/** bzip2 decoding into a buffer that may grow to `maxBytes`, no further. */
export function bunzip(input: Uint8Array, maxBytes: number): Uint8Array {
  let out = new Uint8Array(Math.min(maxBytes, Math.max(1 << 16, input.length * 8)));
  let n = 0;
  Bunzip.decode(
    input,
    {
      writeByte(byte: number) {
        if (n === out.length) {
          if (n >= maxBytes) throw new Error(`it decodes to more than ${maxBytes} bytes`);
          const grown = new Uint8Array(Math.min(maxBytes, n * 2));
          grown.set(out);
          out = grown;
        }
        out[n++] = byte;
      },
    },
    true,
  );
  return out.subarray(0, n);
}

async function mailNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => MAIL_NAME.test(n)).sort();
}

function pins(resource: Resource): string[] {
  const s = resource.sha256;
  return s === undefined ? [] : typeof s === 'string' ? [s] : [...s];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
