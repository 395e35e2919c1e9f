// Writes the parts of the docs that are read off the code, before VitePress builds: the API reference (from the tRPC
// router: kinds, access, zod inputs, error codes, examples, and output types from the type checker) and the
// configuration table (README's, which a server test holds to env.ts). Run by `pnpm docs:build`; the output is not
// committed, so it cannot go stale.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiReference,
  commonErrors,
  errorReference,
  type ProcedureReference,
} from '@tandem/server/reference';
import type { ErrorCode } from '@tandem/core';
import { format } from 'prettier';
import { outputTypes } from './output-types.ts';

const docsRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.join(docsRoot, '..');

/** The anchor of a procedure's section: `workspace.invite.create` -> `workspace-invite-create`. */
export const procedureAnchor = (dotted: string) => dotted.replaceAll('.', '-').toLowerCase();

function accessText(entry: ProcedureReference): string {
  const { access } = entry;
  switch (access.kind) {
    case 'public':
      return 'anyone, signed in or not';
    case 'signed-in':
      return 'any signed-in user';
    case 'admin':
      return 'instance admins';
    case 'member':
      switch (access.via) {
        case 'taskId':
          return `members of the task’s workspace (\`taskId\`) with the **${access.role}** role or higher`;
        case 'runId':
          return `members of the check run’s workspace (\`runId\`) with the **${access.role}** role or higher`;
        case 'workspaceId':
          return `members of the workspace (\`workspaceId\`) with the **${access.role}** role or higher`;
      }
  }
}

async function pretty(code: string, parser: 'typescript' | 'json'): Promise<string> {
  try {
    return (await format(code, { parser, printWidth: 100, singleQuote: true })).trim();
  } catch (error) {
    // A type the checker prints in a form prettier cannot parse is shown as printed rather than failing the build.
    console.warn(
      `docs: could not format ${code.slice(0, 80)}…: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
    return code;
  }
}

function exampleCall(entry: ProcedureReference): { http: string; client: string } {
  const input = entry.example?.input;
  const hasInput = input !== undefined;
  const args = hasInput ? JSON.stringify(input) : '';
  const method = { query: 'query', mutation: 'mutate', subscription: 'subscribe' }[entry.type];
  const client =
    entry.type === 'subscription'
      ? `const sub = client.${entry.path}.subscribe(${args || 'undefined'}, {\n  onData: (value) => console.log(value),\n  onError: (error) => console.error(error.data?.code),\n});`
      : `const result = await client.${entry.path}.${method}(${args});`;
  const body = JSON.stringify({ json: input ?? null });
  // Public procedures need no session; signing in stores the cookie for the next calls.
  const cookie =
    entry.access.kind !== 'public'
      ? ` \\\n  -b "tandem_session=$SESSION"`
      : entry.path === 'auth.signIn' || entry.path === 'auth.signUp'
        ? ' \\\n  -c cookies.txt'
        : '';
  let http: string;
  if (entry.type === 'mutation') {
    http = `curl -X POST "$TANDEM/trpc/${entry.path}" \\\n  -H 'Content-Type: application/json' -H "Origin: $TANDEM"${cookie} \\\n  -d '${body}'`;
  } else {
    const query = hasInput ? `?input=${encodeURIComponent(body)}` : '';
    const accept = entry.type === 'subscription' ? ` -N -H 'Accept: text/event-stream'` : '';
    http = `curl${accept} "$TANDEM/trpc/${entry.path}${query}"${cookie}`;
  }
  return { http, client };
}

async function procedureSection(
  entry: ProcedureReference,
  output: string,
  named: Map<string, string>,
): Promise<string> {
  const lines = [`### \`${entry.path}\` {#${procedureAnchor(entry.path)}}`, ''];
  lines.push(`<span class="api-kind">${entry.type}</span> · Who may call: ${accessText(entry)}.`, '');
  lines.push(entry.description ?? '', '');
  lines.push('**Input**', '');
  lines.push(
    entry.input ? '```json\n' + (await pretty(JSON.stringify(entry.input), 'json')) + '\n```' : 'None.',
    '',
  );
  lines.push(entry.type === 'subscription' ? '**Yields**' : '**Output**', '');
  const tracked = /^tracked\(id: string, data: ([\s\S]*)\)$/.exec(output)?.[1];
  const type = await pretty(`type Output = ${tracked ?? output}`, 'typescript');
  const note = tracked
    ? '// Each value is yielded with tracked(id, value): resubscribe with lastEventId = id.\n'
    : '';
  lines.push('```ts\n' + note + type + '\n```', '');
  const used = [...named.keys()].filter((name) => new RegExp(`\\b${name}\\b`).test(output));
  if (used.length > 0) {
    lines.push(`Types: ${used.map((name) => `[\`${name}\`](#type-${name.toLowerCase()})`).join(', ')}.`, '');
  }
  const { http, client } = exampleCall(entry);
  const clientCode = await pretty(client, 'typescript');
  lines.push('**Example**', '', '```ts\n' + clientCode + '\n```', '', '```sh\n' + http + '\n```', '');
  lines.push('**Errors** (`error.data.code`)', '');
  lines.push('| Code | tRPC code | HTTP |', '| --- | --- | --- |');
  for (const error of entry.errors)
    lines.push(`| \`${error.code}\` | ${error.trpcCode} | ${error.httpStatus} |`);
  lines.push('', `Any call can also fail with ${commonErrors.map((c) => `\`${c}\``).join(', ')}.`, '');
  return lines.join('\n');
}

export async function apiReferencePage(): Promise<string> {
  const reference = apiReference();
  const { outputs, named } = outputTypes(reference.map((entry) => entry.path));
  const routers = [...new Set(reference.map((entry) => entry.path.split('.')[0] ?? ''))];
  const parts = [
    '---',
    'outline: [2, 3]',
    '---',
    '',
    '<!-- Generated by docs/scripts/generate.ts from the tRPC router; edit the procedures’ `.meta()`, not this file. -->',
    '',
    '# API reference',
    '',
    `Every procedure of the tRPC router (${reference.length} of them), generated from the code at build time: its kind, who may call it (from the procedure builder that checks it), its input as JSON Schema (from its zod schemas), its output type (from the TypeScript checker), its error codes and an example. How to call them from a client, and how errors and subscriptions travel, is in [Calling the API](./calling.md). Try them on this instance in the [playground](../api.md).`,
    '',
    'Examples use two shell variables: `TANDEM` (the instance’s origin, e.g. `http://localhost:3000`) and `SESSION` (the value of the `tandem_session` cookie that `auth.signIn` sets). Inputs and outputs travel as [superjson](https://github.com/flightcontrolhq/superjson): plain JSON goes in `{"json": …}`, and values such as dates come back as strings with a `meta` entry saying what they were.',
    '',
  ];
  for (const router of routers) {
    parts.push(`## ${router}`, '');
    for (const entry of reference.filter((e) => e.path.split('.')[0] === router)) {
      parts.push(await procedureSection(entry, outputs.get(entry.path) ?? 'unknown', named));
    }
  }
  parts.push('## Types used above {#types}', '');
  for (const [name, shape] of [...named].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(`### \`${name}\` {#type-${name.toLowerCase()}}`, '');
    parts.push('```ts\n' + (await pretty(`type ${name} = ${shape}`, 'typescript')) + '\n```', '');
  }
  return parts.join('\n');
}

// What each domain code means to a client. Typed by the code list, so a new code cannot miss its line.
const errorMeanings: Record<ErrorCode, string> = {
  BAD_INPUT: 'The input failed its schema or a rule; `issues` lists what, by path.',
  PARSE_ERROR: 'The body or `input` was not valid JSON.',
  PAYLOAD_TOO_LARGE: 'The request body is over 1 MiB (archives: over their limits).',
  UNAUTHENTICATED: 'No valid session: sign in.',
  INVALID_CREDENTIALS: 'Wrong email or password (never says which).',
  ACCOUNT_DISABLED: 'An admin disabled this account.',
  EMAIL_TAKEN: 'An account with this email exists.',
  FORBIDDEN: 'Signed in and a member, but the role (or admin flag) is too low.',
  WORKSPACE_ARCHIVED: 'The workspace is archived and read-only until an owner unarchives it.',
  CSRF_REJECTED: 'The request came from another origin (`Origin` or `Sec-Fetch-Site`).',
  NOT_FOUND: 'No such thing, or not one you are a member of (the two are not told apart).',
  CONFLICT: 'The state changed under the request (a running task, a hunk that changed again); look again.',
  LAST_OWNER: 'A workspace must keep an owner: promote someone first.',
  INVITE_INVALID: 'The invite link is invalid, expired, revoked or already used.',
  RESET_LINK_INVALID:
    'The password reset link is unknown, expired, already used, or replaced by a newer one; ask an admin for a new one.',
  RATE_LIMITED: 'Too many requests; retry after `retryAfter` seconds.',
  TOO_MANY_SUBSCRIPTIONS: 'Too many open subscriptions on this connection or account.',
  QUOTA_EXCEEDED: "The user's daily token quota is spent; it renews at 00:00 UTC.",
  BUDGET_EXCEEDED: "The task reached its token or USD budget (a task's `error`).",
  INVALID_PATH:
    'The path breaks a rule (`..`, absolute, control characters, too long); the message says which.',
  PATH_EXISTS: 'A file or folder exists at that path.',
  FILE_TOO_LARGE: 'The file is over the per-file limit.',
  WORKSPACE_TOO_LARGE: 'The workspace would grow over its 100 MiB limit.',
  BINARY_FILE: 'A text operation on a binary file.',
  ARCHIVE_REJECTED:
    'The archive is malformed or breaks a limit (entries, size, expansion, traversal, symlinks).',
  EDIT_NO_MATCH: "An edit's search text was not found (fed back to the model).",
  EDIT_AMBIGUOUS: "An edit's search text matched more than once (fed back to the model).",
  NO_MODEL: 'No model is configured; the message says how to configure one.',
  LLM_AUTH: 'The model endpoint refused the API key.',
  LLM_RATE_LIMITED: 'The model endpoint is rate limiting.',
  LLM_TIMEOUT: 'The model did not answer in time.',
  LLM_CONTEXT_LENGTH: "The prompt did not fit the model's context window.",
  LLM_UNREACHABLE: 'The model endpoint could not be reached.',
  LLM_ERROR: 'The model endpoint failed otherwise.',
  SANDBOX_UNAVAILABLE:
    'Checks cannot run: bubblewrap is missing or failed its self-check (the reason says which).',
  CANCELLED: 'Someone cancelled the task.',
  INTERRUPTED: 'The instance running the task stopped; the task cannot be resumed honestly.',
  SECRET_UNREADABLE: 'A stored secret cannot be opened with the configured secret keys.',
  WEBHOOK_URL_REFUSED:
    'The security webhook URL is not allowed: not https/http, credentials in it, or a host that resolves to a private, loopback or link-local address (unless `TANDEM_WEBHOOK_ALLOW_PRIVATE=1`).',
  GIT_URL_REFUSED:
    'The remote URL is not allowed: not https/http, a local path, or a private or loopback address not in `TANDEM_GIT_ALLOWED_HOSTS`.',
  GIT_UNREACHABLE: 'The git remote could not be reached (DNS, connection, TLS) or stopped answering.',
  GIT_AUTH: 'The git remote refused the credentials, or wanted some and none were given.',
  GIT_REPO_TOO_LARGE: 'The repository is over the size, file count or download limits.',
  GIT_WORKSPACE_NOT_EMPTY: '`git.connect` needs an empty workspace.',
  GIT_NOT_CONNECTED: 'The workspace has no git remote (or its repository is not on this server).',
  GIT_ALREADY_CONNECTED: 'The workspace is already connected to a remote.',
  GIT_NON_FAST_FORWARD:
    'The remote branch has commits this workspace lacks: pull first, or push to a new branch.',
  GIT_NOTHING_TO_COMMIT: 'The live files are the same as the base commit.',
  GIT_REMOTE_ERROR:
    'The remote answered with something that is not usable git (a missing branch, a protocol error).',
  GIT_HOST_KEY_CHANGED:
    "An SSH remote's host key is not the one recorded for it: a changed server or someone in between. `details.recorded` and `details.presented` list both fingerprints; an owner checks the new one with the host, then accepts it with `git.trustHostKey`.",
  GIT_HOST_KEY_MISMATCH:
    'The fingerprint passed to `git.trustHostKey` is not the one the SSH host presents now (`details.presented`): nothing was accepted.',
  APPROVAL_REQUIRED:
    "The workspace requires an approval before a task's changes are accepted: a member other than the task's author approves (`review.verdict.set`), and nobody's current verdict requests changes.",
  FEATURE_DISABLED:
    'An admin turned the feature off for the instance, or an owner for the workspace (`details.feature`, `details.by`).',
  INTERNAL: 'An unexpected failure; the server logged it with the request id.',
};

/** Every domain error code with its meaning and transport mapping, for the errors page. */
export function errorTable(): string {
  const rows = (Object.keys(errorMeanings) as ErrorCode[]).map((code) => {
    const ref = errorReference(code);
    return `| \`${ref.code}\` | ${errorMeanings[code]} | ${ref.trpcCode} | ${ref.httpStatus} |`;
  });
  return ['| Code | Means | tRPC code | HTTP |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** What the playground offers: queries and mutations with their example input (subscriptions need a socket). */
export function playgroundProcedures() {
  return apiReference()
    .filter((entry) => entry.type !== 'subscription')
    .map((entry) => ({
      path: entry.path,
      type: entry.type,
      description: entry.description ?? '',
      anchor: procedureAnchor(entry.path),
      example: entry.example?.input ?? null,
      hasInput: entry.input !== undefined,
    }));
}

/** README's configuration table (its first table under `## Configuration`), unchanged. */
export function configurationTable(readme: string): string {
  const section = readme.split(/^## Configuration\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  const table = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .join('\n');
  if (!table) throw new Error('README has no configuration table');
  return table;
}

export async function generate(): Promise<void> {
  const generated = path.join(docsRoot, '.generated');
  await mkdir(generated, { recursive: true });
  await mkdir(path.join(docsRoot, 'reference'), { recursive: true });
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  await writeFile(path.join(generated, 'configuration-table.md'), configurationTable(readme) + '\n');
  await writeFile(path.join(generated, 'error-codes.md'), errorTable() + '\n');
  await writeFile(path.join(docsRoot, 'reference', 'procedures.md'), await apiReferencePage());
  await writeFile(
    path.join(generated, 'procedures.json'),
    JSON.stringify(playgroundProcedures(), null, 2) + '\n',
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const started = Date.now();
  await generate();
  console.log(`docs: generated the API reference and configuration in ${Date.now() - started} ms`);
}
