import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FileStore } from '@graft/core';

/** A loopback HTTP server for the tests: each path is read from `files`, as a model host would serve a folder. */
export interface ServedFiles {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  /** Every path asked for, in order (clear it with `requests.length = 0`). */
  requests: string[];
  close(): Promise<void>;
}

export async function serveFiles(files: FileStore): Promise<ServedFiles> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    void files.read(path).then((bytes) => {
      // No keep-alive: a socket the server closes while idle would reset the client's next request.
      res.writeHead(bytes ? 200 : 404, { 'content-type': 'application/octet-stream', connection: 'close' });
      res.end(bytes ?? 'not found');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
