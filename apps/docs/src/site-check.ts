import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, relative } from 'node:path';

/** Every HTML file of a built site, as paths relative to its root. */
export function htmlFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? htmlFiles(root, join(dir, e.name)) : e.name.endsWith('.html') ? [relative(root, join(dir, e.name))] : []))
    .sort();
}

/** A link inside the site that leads nowhere: its page, its href and why. */
export interface BrokenLink {
  page: string;
  href: string;
  reason: string;
}

const ids = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let set = ids.get(file);
  if (!set) {
    set = new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!)));
    ids.set(file, set);
  }
  return set;
}

/** The file a site path serves: `/a/` → `a/index.html`, `/a` → `a.html` (VitePress's clean URLs both ways). */
export function fileFor(root: string, path: string): string | undefined {
  const p = normalize(decodeURIComponent(path)).replace(/^\/+/, '');
  const candidates = p === '' || p.endsWith('/') ? [join(p, 'index.html')] : extname(p) ? [p] : [`${p}.html`, join(p, 'index.html')];
  return candidates.map((c) => join(root, c)).find((f) => existsSync(f));
}

/** Internal links and anchors of every page that point at no page or no element. */
export function brokenLinks(root: string): BrokenLink[] {
  ids.clear();
  const broken: BrokenLink[] = [];
  for (const page of htmlFiles(root)) {
    const html = readFileSync(join(root, page), 'utf8');
    for (const [, href] of html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)) {
      if (!href || /^(?:[a-z]+:|\/\/)/i.test(href)) continue;
      const [path = '', hash] = href.replace(/&amp;/g, '&').split('#');
      const base = `/${page.replace(/[^/]*$/, '')}`;
      const target = path === '' ? join(root, page) : fileFor(root, path.startsWith('/') ? path : join(base, path));
      if (!target) broken.push({ page, href, reason: 'no such page' });
      else if (hash && !idsOf(target).has(decodeURIComponent(hash))) broken.push({ page, href, reason: `no element with id "${hash}"` });
    }
  }
  return broken;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png', '.ico': 'image/x-icon' };

/** A static file server for a built site on a free local port. */
export async function serve(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const file = fileFor(root, new URL(req.url ?? '/', 'http://x').pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/html' }).end(readFileSync(join(root, '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
