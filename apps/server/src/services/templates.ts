// The workspace templates shipped beside the server (`apps/server/templates/<id>/`), read once, and the creation
// of a workspace from one. Templates are text only; the import checks every path as an upload would.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AppError,
  parseTemplate,
  sortTemplates,
  templateSummary,
  userEditOrigin,
  type LoadedTemplate,
  type TemplateFile,
  type WorkspaceTemplate,
} from '@tandem/core';
import type { AppDeps } from '../deps.ts';
import { serverRoot } from '../server-root.ts';
import { uploadEntries } from './files.ts';
import { createWorkspace, type Actor } from './workspaces.ts';

export const defaultTemplatesDir = path.join(serverRoot, 'templates');

function readTree(root: string, dir = ''): TemplateFile[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) return readTree(root, relative);
    if (!entry.isFile()) return [];
    return [{ path: relative, text: readFileSync(path.join(root, relative), 'utf8') }];
  });
}

const loaded = new Map<string, LoadedTemplate[]>();

/** Every template in `dir`, in the picker's order; read on first use. A broken template fails loudly. */
export function loadTemplates(dir = defaultTemplatesDir): LoadedTemplate[] {
  let templates = loaded.get(dir);
  if (!templates) {
    templates = sortTemplates(
      readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => parseTemplate(entry.name, readTree(path.join(dir, entry.name)))),
    );
    loaded.set(dir, templates);
  }
  return templates;
}

export function listTemplates(dir?: string): WorkspaceTemplate[] {
  return loadTemplates(dir).map(templateSummary);
}

function findTemplate(id: string, dir?: string): LoadedTemplate {
  const template = loadTemplates(dir).find((t) => t.id === id);
  if (!template) {
    throw new AppError('NOT_FOUND', `No template named ${id}`, {
      details: { templates: loadTemplates(dir).map((t) => t.id) },
    });
  }
  return template;
}

/**
 * Writes a template's files into a workspace as the actor's edits (so they are attributed to them), all or
 * nothing: a path that already exists refuses the whole template with `PATH_EXISTS`.
 */
export function applyTemplate(
  deps: Pick<AppDeps, 'rooms'>,
  actor: Pick<Actor, 'userId'>,
  workspaceId: string,
  templateId: string,
  dir?: string,
) {
  const template = findTemplate(templateId, dir);
  return uploadEntries(deps.rooms, workspaceId, template.content, {
    overwrite: false,
    origin: userEditOrigin(actor.userId),
  });
}

/** A new workspace, filled with a template's files when one is named; an unknown one is refused first. */
export async function createWorkspaceFrom(
  deps: Pick<AppDeps, 'db' | 'rooms'>,
  actor: Actor,
  input: { name: string; template?: string | undefined },
  dir?: string,
) {
  const template = input.template === undefined ? undefined : findTemplate(input.template, dir);
  const workspace = await createWorkspace(deps.db, actor, input.name, template?.id);
  if (template) await applyTemplate(deps, actor, workspace.id, template.id, dir);
  return workspace;
}
