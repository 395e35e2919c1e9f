// Prints line coverage per package from vitest's coverage/coverage-summary.json (run after `pnpm test --coverage`).
import { readFileSync } from 'node:fs';
import path from 'node:path';

const file = process.argv[2] ?? 'coverage/coverage-summary.json';
const summary = JSON.parse(readFileSync(file, 'utf8'));
const root = process.cwd();
const packages = new Map();
for (const [name, figures] of Object.entries(summary)) {
  if (name === 'total') continue;
  const [area, pkg] = path.relative(root, name).split(path.sep);
  const key = `${area}/${pkg}`;
  const sum = packages.get(key) ?? { covered: 0, total: 0 };
  sum.covered += figures.lines.covered;
  sum.total += figures.lines.total;
  packages.set(key, sum);
}
console.log('Line coverage by package:');
for (const [key, { covered, total }] of [...packages].sort()) {
  const pct = total === 0 ? 100 : (100 * covered) / total;
  console.log(`  ${key.padEnd(16)} ${pct.toFixed(1).padStart(5)}%  (${covered}/${total} lines)`);
}
