// The runnable examples of @tandem/core (examples/core) run, and print what docs/reference/core.md says they print;
// the page includes each example's source from its file, so the code shown cannot drift from the code that ran.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const docsRoot = fileURLToPath(new URL('..', import.meta.url));
const examplesDir = path.resolve(docsRoot, '../examples/core');
const page = readFileSync(path.join(docsRoot, 'reference/core.md'), 'utf8');

/** The ```text block that follows the include of `name` on the page: what the page says the example prints. */
function documentedOutput(name: string): string {
  const include = `<<< @/../examples/core/${name}.ts`;
  const at = page.indexOf(include);
  expect(at, `docs/reference/core.md includes examples/core/${name}.ts`).toBeGreaterThan(-1);
  const block = /```text\n([\s\S]*?)```/.exec(page.slice(at));
  if (!block?.[1]) throw new Error(`no output block after ${include}`);
  return block[1];
}

describe('examples/core', () => {
  it.for(['file-model', 'orchestrator', 'merge'] as const)(
    '%s runs and prints what the docs show',
    { timeout: 60_000 },
    async (name) => {
      const scripts = (
        JSON.parse(readFileSync(path.join(examplesDir, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      // The package script the page tells readers to run, without pnpm in between.
      expect(scripts[name]).toBe(`node --import tsx ${name}.ts`);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', `${name}.ts`], { cwd: examplesDir });
      expect(stdout).toBe(documentedOutput(name));
      expect(page).toContain(`pnpm --filter @tandem/example-core ${name}\n`);
    },
  );
});

describe('the TSDoc of the public API the page covers', () => {
  const core = path.resolve(docsRoot, '../packages/core/src');
  const documented: [file: string, names: string[]][] = [
    [
      'files/model.ts',
      ['createFile', 'writeFile', 'renameFile', 'renameFolder', 'deleteFile', 'deleteFolder'],
    ],
    ['orchestrator/run-task.ts', ['runTask']],
    ['changeset/anchors.ts', ['captureBase']],
    ['changeset/compute-changeset.ts', ['computeChangeset']],
    ['changeset/anchor-changeset.ts', ['anchorChangeset']],
    ['changeset/apply-hunks.ts', ['applyHunks']],
    ['changeset/rollback.ts', ['rollbackTask']],
  ];
  it.for(documented)(
    '%s: every function has a doc comment with @returns or @throws and an @example',
    ([file, names]) => {
      const source = readFileSync(path.join(core, file), 'utf8');
      for (const name of names) {
        const doc = new RegExp(
          `/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\nexport (?:async )?function ${name}\\(`,
        ).exec(source);
        expect(doc, `${file}: ${name} has a doc comment right above it`).not.toBeNull();
        expect(doc?.[1], name).toContain('@example');
        expect(doc?.[1], name).toMatch(/@returns|@throws/);
      }
    },
  );
});
