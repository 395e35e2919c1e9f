// The docs site, served by the server at /docs and buildable on a machine without network (local search, no
// external fonts or scripts). Inline scripts VitePress adds to each page move into files, so the pages run under
// the same Content-Security-Policy as the app (`script-src 'self'`).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineConfig } from 'vitepress';

const base = '/docs/';
const inlineScripts = new Map<string, string>();
const inlineScript = /<script(?: id="[\w-]+")?>([^<]+)<\/script>/g;

export default defineConfig({
  title: 'Tandem',
  description: 'Self-hosted, multiplayer AI code mode',
  base,
  outDir: 'dist',
  cleanUrls: true,
  metaChunk: true,
  lastUpdated: false,
  // Links to a local instance (http://localhost:3000) are examples, not pages of this site.
  ignoreDeadLinks: 'localhostLinks',
  srcExclude: ['scripts/**', 'test/**'],
  head: [['meta', { name: 'color-scheme', content: 'light dark' }]],
  transformHtml(code) {
    return code.replace(inlineScript, (_tag, body: string) => {
      const name = `assets/inline.${createHash('sha256').update(body).digest('hex').slice(0, 10)}.js`;
      inlineScripts.set(name, body);
      return `<script src="${base}${name}"></script>`;
    });
  },
  async buildEnd(site) {
    for (const [name, body] of inlineScripts) {
      await mkdir(path.dirname(path.join(site.outDir, name)), { recursive: true });
      await writeFile(path.join(site.outDir, name), body);
    }
  },
  themeConfig: {
    search: { provider: 'local' },
    outline: [2, 3],
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Tutorials', link: '/tutorials/' },
      { text: 'Self-hosting', link: '/self-hosting/' },
      { text: 'API', link: '/reference/calling' },
      { text: 'Playground', link: '/api' },
    ],
    sidebar: [
      {
        text: 'Using Tandem',
        items: [
          { text: 'Getting started', link: '/guide/getting-started' },
          { text: 'Workspaces and members', link: '/guide/workspaces' },
          { text: 'Live editing', link: '/guide/live-editing' },
          { text: 'AI tasks', link: '/guide/ai-tasks' },
          { text: 'Reviewing changes', link: '/guide/review' },
          { text: 'Reviewers', link: '/guide/reviewers' },
          { text: 'Git repositories', link: '/guide/git' },
          { text: 'Admin console', link: '/guide/admin' },
          { text: 'Best practices', link: '/guide/best-practices' },
        ],
      },
      {
        text: 'Tutorials',
        items: [
          { text: 'Overview', link: '/tutorials/' },
          { text: 'Your first shared workspace', link: '/tutorials/first-workspace' },
          { text: 'Review an AI change', link: '/tutorials/review-ai-change' },
          { text: 'Connect a model', link: '/tutorials/connect-a-model' },
          { text: 'Two instances on PostgreSQL and Redis', link: '/tutorials/postgresql-redis' },
          { text: 'An API client in TypeScript', link: '/tutorials/api-client' },
        ],
      },
      {
        text: 'Self-hosting',
        items: [
          { text: 'Overview', link: '/self-hosting/' },
          { text: 'Configuration', link: '/self-hosting/configuration' },
          { text: 'PostgreSQL', link: '/self-hosting/postgresql' },
          { text: 'Redis and scale-out', link: '/self-hosting/redis' },
          { text: 'Behind a proxy', link: '/self-hosting/proxy' },
          { text: 'Deploy recipes', link: '/self-hosting/deploy' },
          { text: 'Operating', link: '/self-hosting/operating' },
          { text: 'Backups and restore', link: '/self-hosting/backups' },
        ],
      },
      {
        text: 'Concepts',
        items: [
          { text: 'Security model', link: '/security' },
          { text: 'Architecture', link: '/architecture' },
          { text: 'Contributing', link: '/contributing' },
        ],
      },
      {
        text: 'API',
        items: [
          { text: 'Calling the API', link: '/reference/calling' },
          { text: 'Procedures', link: '/reference/procedures' },
          { text: 'Errors', link: '/reference/errors' },
          { text: 'Live sync (Yjs)', link: '/reference/yjs' },
          { text: 'HTTP routes', link: '/reference/http' },
          { text: 'Domain package (core)', link: '/reference/core' },
          { text: 'Components (ui)', link: '/reference/ui' },
          { text: 'Playground', link: '/api' },
        ],
      },
    ],
  },
});
