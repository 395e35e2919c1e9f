// The README's configuration table (which the docs site shows as it is) against what env.ts really reads: a variable
// added, renamed or removed, or a default changed, without the table following fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configDefaults, configVariables } from '../src/env.ts';
import { defaultLimits, limitVariable, type LimitName } from '../src/http/limit-rules.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');

/** Rows of the first table under `## Configuration`: variable name -> default cell. */
function configurationTable(text: string): Map<string, string> {
  const section = text.split(/^## Configuration\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([A-Z_<>]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells[2] ?? '');
  }
  return rows;
}

// Read by the server but not settings for people: set by pnpm, and the search path for bwrap.
const internal = new Set(['INIT_CWD', 'PATH']);
const limitVariables = new Set((Object.keys(defaultLimits) as LimitName[]).map(limitVariable));

describe('README configuration table', () => {
  const table = configurationTable(readme);

  it('has one row for every variable the server reads, and none it does not', () => {
    const documented = [...table.keys()].sort();
    const read = [
      ...configVariables.filter((name) => !internal.has(name) && !limitVariables.has(name)),
      'TANDEM_LIMIT_<NAME>',
    ].sort();
    expect(documented).toEqual(read);
  });

  it('names every rate limit the TANDEM_LIMIT_<NAME> row stands for', () => {
    const row = readme.split('\n').find((line) => line.startsWith('| `TANDEM_LIMIT_<NAME>`')) ?? '';
    for (const variable of limitVariables) {
      const suffix = variable.replace(/^TANDEM_LIMIT/, '');
      expect(row, variable).toContain(suffix);
    }
  });

  it('gives each default as env.ts has it', () => {
    const defaults = Object.entries(configDefaults).filter(([name]) => !internal.has(name));
    expect(defaults.length).toBeGreaterThan(8);
    for (const [name, value] of defaults) {
      expect(table.get(name), name).toContain(`\`${String(value)}\``);
    }
  });
});
