"""Give every workspace package the same nx targets (build, typecheck, lint, test), written once here."""
import json, os, sys

for pkg in sys.argv[1:]:
    path = os.path.join(pkg, 'package.json')
    data = json.load(open(path))
    root = os.path.relpath('.', pkg)
    data['scripts'] = {
        'build': 'tsc -b',
        'typecheck': 'tsc -p tsconfig.json --noEmit',
        'lint': f'eslint --config {root}/eslint.config.js src',
        'test': f'vitest run --root {root} {pkg}',
    }
    with open(path, 'w') as f:
        json.dump(data, f, indent=2)
        f.write('\n')
