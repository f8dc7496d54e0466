#!/usr/bin/env node
// One sample-efficiency figure from several comparisons (the README's curves):
//   node scripts/efficiency-figure.mjs OUT.svg "LABEL=DIR/results.json#STRATEGY" ...
// Each argument takes one entry (strategy) of a `graft compare --per-class a,b,...` result and draws it as
// the line LABEL; without #STRATEGY every entry of the file is drawn under its own name. Needs `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { sampleEfficiencySvg } from '../apps/cli/dist/report.js';

const [out, ...specs] = process.argv.slice(2);
if (!out || !out.endsWith('.svg') || specs.length === 0) {
  console.error('Usage: node scripts/efficiency-figure.mjs OUT.svg "LABEL=results.json#STRATEGY" ...');
  process.exit(2);
}
const results = specs.flatMap((spec) => {
  const match = /^([^=]+)=([^#]+)(?:#(.+))?$/.exec(spec);
  if (!match) {
    console.error(`Not LABEL=FILE[#STRATEGY]: ${spec}`);
    process.exit(2);
  }
  const [, label, file, strategy] = match;
  const entries = JSON.parse(readFileSync(file, 'utf8')).results.filter((r) => !strategy || r.strategy === strategy);
  if (entries.length === 0) {
    console.error(`No entry ${strategy ? `"${strategy}" ` : ''}in ${file}`);
    process.exit(2);
  }
  return entries.map((r) => ({ ...r, strategy: strategy ? label : `${label} · ${r.strategy}` }));
});
const svg = await sampleEfficiencySvg(results);
if (!svg) {
  console.error('Nothing to draw: the results need two or more --per-class sizes and an accuracy-like metric.');
  process.exit(2);
}
writeFileSync(out, svg);
console.log(`Wrote ${out}`);
