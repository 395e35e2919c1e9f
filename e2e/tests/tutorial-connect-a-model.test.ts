// docs/tutorials/connect-a-model.md, walked step by step in Chromium: the admin sets an OpenAI-compatible endpoint
// and then Anthropic in the console, tests each connection and runs a task with each. The model server is core's
// replay server, which speaks both wire protocols and lists the very model names the page uses.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  launchBrowser,
  replay,
  searchReplaceBlock,
  startLlm,
  startTandem,
  type Llm,
  type Tandem,
} from '../harness.ts';
import { editor, openAs, team } from '../scenario.ts';
import { tutorial, WALK_TIMEOUT_MS } from '../tutorial.ts';
import type { Browser } from 'playwright-core';

const PATH = 'src/price.ts';
const FILE = 'export function price(cents: number) {\n  return cents / 100;\n}\n';

describe('tutorial: connect a model', () => {
  let llm: Llm;
  let tandem: Tandem;
  // Every server a walk started (a retried walk starts its own), all stopped at the end.
  const started: Tandem[] = [];
  let browser: Browser;
  beforeAll(async () => {
    [llm, browser] = await Promise.all([
      startLlm({ models: ['qwen2.5-coder:7b', 'claude-sonnet-4-5'] }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    for (const server of started) await server.stop();
    await (llm as Llm | undefined)?.close();
  });

  /** The console's model form, filled as the page's table says; the base URL is the local model server's. */
  async function fill(page: Page, provider: string, model: string, apiKey: string) {
    const form = page.getByRole('form', { name: 'Model provider' });
    await form.getByLabel('Provider').selectOption({ label: provider });
    await form.getByLabel('Base URL').fill(`${llm.server.url}/v1`);
    await form.getByLabel('Model').fill(model);
    await form.getByLabel('API key').fill(apiKey);
    await form.getByRole('button', { name: 'Save model settings' }).click();
    await page.getByText('Model settings saved', { exact: true }).waitFor();
    await form.getByText('Now from these settings.', { exact: false }).waitFor();
  }

  async function testConnection(page: Page, model: string) {
    const form = page.getByRole('form', { name: 'Model provider' });
    await form.getByRole('button', { name: 'Test connection' }).click();
    const status = form.getByRole('status');
    await status.waitFor();
    expect(await status.textContent()).toMatch(
      new RegExp(
        `^Connected to ${llm.server.url}/v1 in \\d+ ms\\. It offers ${model.replaceAll('.', '\\.')}\\.$`,
      ),
    );
  }

  let cookie = '';
  let workspaceId = '';

  /** Runs a task from the AI panel and waits until it has proposed, as the panel and the API both say. */
  async function runTask(page: Page, prompt: string, replacement: string) {
    llm.server.enqueue([
      replay.text(searchReplaceBlock(PATH, 'export function price(cents: number) {', replacement), {
        chunks: 4,
        intervalMs: 100,
      }),
      replay.finish({ usage: { inputTokens: 400, outputTokens: 30 } }),
    ]);
    await page.getByLabel('Ask the AI to change the code').fill(prompt);
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });
    await expect
      .poll(
        async () => {
          const tasks = await client(tandem.url, cookie).task.list.query({ workspaceId });
          return tasks.find((task) => task.prompt === prompt)?.state;
        },
        { timeout: 30_000 },
      )
      .toBe('proposed');
  }

  it(
    'walks every step of the page',
    async () => {
      const t = tutorial('connect-a-model');
      let admin!: Page;
      let workspacePath = '';

      await t.step('serve-a-model', async () => {
        // The page's `ollama serve`: a model server on loopback that lists the page's model names.
        const models = (await (await fetch(`${llm.server.url}/v1/models`)).json()) as {
          data: { id: string }[];
        };
        expect(models.data.map((m) => m.id)).toEqual(['qwen2.5-coder:7b', 'claude-sonnet-4-5']);
        tandem = await startTandem();
        started.push(tandem);
        const { owner, workspace } = await team(tandem.url, { [PATH]: FILE });
        workspacePath = `/w/${workspace.id}?file=${PATH}`;
        cookie = owner.cookie;
        workspaceId = workspace.id;
        admin = await openAs(browser, tandem.url, owner.cookie, '/');
        await t.record(admin);
      });

      await t.step('open-settings', async () => {
        await admin.getByRole('button', { name: 'Ada, account menu' }).click();
        await admin.getByRole('menuitem', { name: 'Admin console' }).click();
        await admin.getByRole('tab', { name: 'Settings' }).click();
        const form = admin.getByRole('form', { name: 'Model provider' });
        await form.getByText('Now from the server environment.', { exact: false }).waitFor();
      });

      await t.step('openai-compatible', async () => {
        await fill(admin, 'OpenAI-compatible (OpenAI, Ollama, vLLM, OpenRouter…)', 'qwen2.5-coder:7b', '');
      });

      await t.step('test-connection', async () => {
        await testConnection(admin, 'qwen2.5-coder:7b');
      });

      await t.step('first-task', async () => {
        await admin.goto(workspacePath);
        await editor(admin, PATH).waitFor();
        await runTask(
          admin,
          `Add a JSDoc comment to @${PATH}`,
          '/** Cents to units. */\nexport function price(cents: number) {',
        );
        const sent = llm.server.requests.filter((r) => r.path === '/v1/chat/completions');
        expect((sent.at(-1)?.body as { model?: string }).model).toBe('qwen2.5-coder:7b');
      });

      await t.step('anthropic', async () => {
        await admin.getByRole('button', { name: 'Ada, account menu' }).click();
        await admin.getByRole('menuitem', { name: 'Admin console' }).click();
        await admin.getByRole('tab', { name: 'Settings' }).click();
        await fill(admin, 'Anthropic', 'claude-sonnet-4-5', 'sk-ant-tutorial');
        await testConnection(admin, 'claude-sonnet-4-5');
      });

      await t.step('anthropic-task', async () => {
        await admin.goto(workspacePath);
        await editor(admin, PATH).waitFor();
        await runTask(
          admin,
          `Name the unit in @${PATH}`,
          '// Returns units.\nexport function price(cents: number) {',
        );
        const sent = llm.server.requests.filter((r) => r.path === '/v1/messages');
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.at(-1)?.headers['x-api-key']).toBe('sk-ant-tutorial');
        expect((sent.at(-1)?.body as { model?: string }).model).toBe('claude-sonnet-4-5');
      });

      await t.done();
    },
    WALK_TIMEOUT_MS,
  );
});
