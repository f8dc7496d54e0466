import type { OnnxParam } from './program.js';

/** A layer group of an imported graph: the weights of its nodes. */
export interface OnnxGroup {
  name: string;
  params: OnnxParam[];
}

/**
 * Layer groups from the module paths PyTorch writes into an export (`layer1.0.conv1.weight`, node
 * `/features/features.3/block/...`). Top-level modules with numbered children are stages
 * (ResNet's `layer1` … `layer4`, He et al. 2016); a single numbered container that holds most of the
 * network (MobileNet's `features`, Howard et al. 2019) is split into its blocks (`features.0` …); runs
 * of plain top-level layers (`conv1`, `bn1`) form one group, `stem` when first. A graph without module
 * paths gets one group per node with weights. Groups run input → output in graph order.
 */
export function onnxGroups(params: OnnxParam[]): OnnxGroup[] {
  const byNode = new Map<string, { path: string[]; params: OnnxParam[] }>();
  for (const p of params) {
    const entry = byNode.get(p.node.name) ?? { path: modulePath(p), params: [] };
    entry.params.push(p);
    byNode.set(p.node.name, entry);
  }
  const units = [...byNode.entries()].map(([node, e]) => ({ node, ...e }));
  if (!units.some((u) => u.path.length >= 2)) return units.map((u) => ({ name: u.node, params: u.params }));

  const numbered = (top: string) => units.some((u) => u.path[0] === top && /^\d+$/.test(u.path[1] ?? ''));
  const tops = [...new Set(units.map((u) => u.path[0]!))];
  const share = (top: string) => units.filter((u) => u.path[0] === top).length / units.length;
  const splitTop = tops.find((t) => numbered(t) && share(t) > 0.5);
  const keyOf = (path: string[]): { key: string; plain: boolean } => {
    if (path[0] === splitTop && path[1] !== undefined) return { key: `${path[0]}.${path[1]}`, plain: false };
    return { key: path[0]!, plain: !numbered(path[0]!) };
  };

  const groups: OnnxGroup[] = [];
  let last: { key: string; plain: boolean } | undefined;
  for (const u of units) {
    const k = keyOf(u.path);
    const mergeable = last && (k.key === last.key || (k.plain && last.plain));
    if (mergeable) groups[groups.length - 1]!.params.push(...u.params);
    else groups.push({ name: k.plain && groups.length === 0 ? 'stem' : k.key, params: [...u.params] });
    last = k;
  }
  return groups;
}

/** The module path of a weight: from its state-dict-like name, else from the node's scope name. */
function modulePath(p: OnnxParam): string[] {
  if (!p.key.startsWith('onnx::') && p.key.includes('.')) return p.key.split('.').slice(0, -1);
  const scopes = p.node.name.split('/').filter(Boolean).slice(0, -1);
  // `/layer1/layer1.0/conv1/Conv`: each scope repeats its parent's dotted path.
  const dotted = scopes.reduce((acc, s) => (acc && s.startsWith(`${acc}.`) ? s : acc ? `${acc}.${s}` : s), '');
  return dotted ? dotted.split('.') : [p.node.name];
}
