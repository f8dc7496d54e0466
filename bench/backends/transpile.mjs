// Transpiles @graft/backend-wasm's TypeScript sources (no type check) so this plain-Node bench can
// import them without a build step or a TS loader. Output lives under node_modules/.cache.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Returns the directory holding the transpiled `src/` of the wasm backend package. */
export function transpileWasmBackend() {
  const src = path.join(root, 'packages/backends/wasm/src');
  const out = path.join(root, 'node_modules/.cache/graft-bench/backend-wasm');
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.test.ts')) {
        transpileTo(file, path.join(out, path.relative(src, file)).replace(/\.ts$/, '.js'));
      }
    }
  };
  walk(src);
  // The kernels' runtime imports from @graft/core (the optimizer kernel's name and core's loop, the masked
  // gradient's name), served from core's transpiled source instead of its build.
  const shim = path.join(out, 'graft-core.js');
  const exportsOf = (relative) => {
    const file = path.relative(out, transpileCoreFile(relative)).split(path.sep).join('/');
    return `export * from '${file.startsWith('.') ? file : `./${file}`}';\n`;
  };
  fs.writeFileSync(shim, ['train/optimizer-update.ts', 'model/masked-grad.ts', 'model/batch-norm-training.ts'].map(exportsOf).join(''));
  for (const name of fs.readdirSync(path.join(out, 'kernels'))) {
    const file = path.join(out, 'kernels', name);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/from '@graft\/core'/g, "from '../graft-core.js'"));
  }
  return out;
}

/** Transpiles one self-contained file of @graft/core's `src/` (type-only imports) and returns its path. */
export function transpileCoreFile(relative) {
  const file = path.join(root, 'packages/core/src', relative);
  const target = path.join(root, 'node_modules/.cache/graft-bench/core', relative.replace(/\.ts$/, '.js'));
  transpileTo(file, target);
  return target;
}

/** Writes `file` transpiled to ES2022 modules (types stripped, not checked) at `target`. */
function transpileTo(file, target) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  fs.writeFileSync(target, js);
}
