import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '@graft/core';
import { buildProgram, firstPartyPlugins } from '@graft/cli';
import { renderSite } from './site.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'site');
mkdirSync(out, { recursive: true });
const html = renderSite(createRuntime({ plugins: firstPartyPlugins }).registry, buildProgram());
writeFileSync(join(out, 'index.html.tmp'), html);
renameSync(join(out, 'index.html.tmp'), join(out, 'index.html'));
process.stdout.write(`Wrote ${join(out, 'index.html')}\n`);
