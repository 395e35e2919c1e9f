// docs/tutorials/api-client.md, walked step by step: the page's dependencies are the example's, the page's command
// runs examples/api-client against a real server with the replay model, and the result shows in Chromium. That the
// page's code blocks are the example's own code is checked in docs/test/tutorials.test.ts.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay, searchReplaceBlock, userContext } from '../harness.ts';
import { editor, stage, waitForText, type Stage } from '../scenario.ts';
import { codeBlock, tutorial, WALK_TIMEOUT_MS } from '../tutorial.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = path.join(root, 'examples/api-client');

describe('tutorial: an API client in TypeScript', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it(
    'walks every step of the page',
    async () => {
      const t = tutorial('api-client');
      const account = { email: 'you@example.com', password: 'your password' };
      const source = await readFile(path.join(example, 'client.ts'), 'utf8');
      let output = '';
      let page!: Page;

      await t.step('install', async () => {
        const packages = codeBlock(t.markdown, 'install')
          .trim()
          .replace(/^pnpm add /, '')
          .split(/\s+/)
          .map((spec) => spec.replace(/(.)@[^@]*$/, '$1'));
        const manifest = JSON.parse(await readFile(path.join(example, 'package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        };
        expect(packages.sort()).toEqual(Object.keys(manifest.dependencies).sort());
      });

      // Steps 3 to 6 are code the example holds; here they are checked to be what the example runs, in that order.
      await t.step('types', () => {
        expect(source).toContain("import type { AppRouter } from '@tandem/server/router';");
      });
      await t.step('connect', () => {
        expect(source).toMatch(/export function connect\(origin: string\)/);
      });
      await t.step('sign-in', () => {
        expect(source.indexOf('auth.signIn.mutate')).toBeLessThan(source.indexOf('workspace.create.mutate'));
      });
      await t.step('workspace', () => {
        expect(source.indexOf('workspace.create.mutate')).toBeLessThan(source.indexOf('task.create.mutate'));
      });
      await t.step('task', () => {
        expect(source.indexOf('task.create.mutate')).toBeLessThan(source.indexOf('task.accept.mutate'));
      });

      await t.step('run', async () => {
        s.llm.server.enqueue([
          replay.text(
            'Typing the parameter.\n\n' +
              searchReplaceBlock(
                'src/greet.ts',
                'export function greet(name) {',
                'export function greet(name: string) {',
              ),
          ),
          replay.finish({ usage: { inputTokens: 300, outputTokens: 40 } }),
        ]);
        // The page's command, word for word, with this instance's address for http://localhost:3000.
        const command = codeBlock(t.markdown, 'run').trim().replace('http://localhost:3000', s.tandem.url);
        const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
        expect(args.slice(0, 4)).toEqual(['pnpm', '--filter', '@tandem/example-api-client', 'start']);
        expect(args.slice(5)).toEqual([account.email, account.password]);
        const result = await run(args[0] ?? 'pnpm', args.slice(1), { cwd: root, timeout: 60_000 });
        output = result.stdout;
        expect(output).toContain('signed in as API example (instance admin)');
        expect(output).toMatch(/created workspace \S+ with src\/greet\.ts/);
        expect(output).toMatch(new RegExp(`reviewer invite: ${s.tandem.url}/invite/[\\w-]{43}`));
        expect(output).toMatch(/task \S+ ended as proposed after \d+ events/);
        expect(output).toContain('applied 1 hunk(s), 0 conflict(s)');
        expect(output).toContain('export function greet(name: string) {\n  return "Hello " + name;\n}');
      });

      await t.step('see-it', async () => {
        page = await (await userContext(s.browser, s.tandem.url, '')).newPage();
        await t.record(page);
        await page.goto('/');
        await page.getByLabel('Email', { exact: true }).fill(account.email);
        await page.getByLabel('Password', { exact: true }).fill(account.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page
          .getByRole('list', { name: 'Workspaces' })
          .getByRole('link', { name: /^API example / })
          .click();
        await page.getByRole('treeitem', { name: 'src' }).click();
        await page.getByRole('treeitem', { name: /greet\.ts/ }).click();
        await editor(page, 'src/greet.ts').waitFor();
        await waitForText(page, (text) => text.includes('greet(name: string)'));
        await page.getByRole('button', { name: /Add a TypeScript type/ }).click();
        await page
          .getByRole('list', { name: 'Task timeline' })
          .getByText('Context', { exact: true })
          .first()
          .waitFor();
      });

      await t.done();
    },
    WALK_TIMEOUT_MS,
  );
});
