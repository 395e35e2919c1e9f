// Workspace templates: starting projects a new workspace can be created from. The server ships them as folders
// (one per template, its `template.json` beside the project's files); this module says what a template is and
// what a client sees of one.
import { z } from 'zod';

export const templateIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Not a template id: lower-case letters, digits and dashes');

/** `template.json`: what the template picker shows. */
export const templateManifestSchema = z.strictObject({
  name: z.string().min(1).max(80),
  description: z.string().min(1).max(300),
  /** Position in the picker, lowest first; ties by name. */
  order: z.number().int().default(100),
});

export type TemplateManifest = z.infer<typeof templateManifestSchema>;

/** One template as clients see it: what it is and how much it writes. */
export interface WorkspaceTemplate {
  id: string;
  name: string;
  description: string;
  files: number;
  bytes: number;
}

export interface TemplateFile {
  path: string;
  text: string;
}

export interface LoadedTemplate extends WorkspaceTemplate {
  order: number;
  content: readonly TemplateFile[];
}

/**
 * A template from its folder's files (paths relative to the folder, `/`-separated). The manifest is the one file
 * that is not part of the project; it must be there and valid, and the project must have files.
 */
export function parseTemplate(id: string, files: readonly TemplateFile[]): LoadedTemplate {
  const parsedId = templateIdSchema.parse(id);
  const manifestFile = files.find((file) => file.path === 'template.json');
  if (!manifestFile) throw new Error(`Template ${id} has no template.json`);
  const manifest = templateManifestSchema.parse(JSON.parse(manifestFile.text));
  const content = files
    .filter((file) => file !== manifestFile)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (content.length === 0) throw new Error(`Template ${id} has no files`);
  return {
    id: parsedId,
    name: manifest.name,
    description: manifest.description,
    order: manifest.order,
    files: content.length,
    bytes: content.reduce((sum, file) => sum + new TextEncoder().encode(file.text).byteLength, 0),
    content,
  };
}

/** The picker's order: by `order`, then by name. */
export function sortTemplates<T extends { order: number; name: string }>(templates: readonly T[]): T[] {
  return [...templates].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/** What `workspace.templates` returns for one template. */
export function templateSummary(template: LoadedTemplate): WorkspaceTemplate {
  const { id, name, description, files, bytes } = template;
  return { id, name, description, files, bytes };
}
