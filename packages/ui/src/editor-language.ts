// Which CodeMirror language a file gets, decided by its path alone: the workspace has no MIME types, and a
// wrong guess only costs highlighting.
import { css } from '@codemirror/lang-css';
import { html } from '@codemirror/lang-html';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import type { Extension } from '@codemirror/state';

export const editorLanguages = [
  'javascript',
  'jsx',
  'typescript',
  'tsx',
  'json',
  'css',
  'markdown',
  'html',
] as const;
export type EditorLanguage = (typeof editorLanguages)[number];

const byExtension: Record<string, EditorLanguage> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'jsx',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  json: 'json',
  jsonc: 'json',
  css: 'css',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  html: 'html',
  htm: 'html',
};

/** `null` means plain text. */
export function languageForPath(path: string): EditorLanguage | null {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  // A leading dot is a hidden file's name (".eslintrc"), not an extension.
  if (dot <= 0) return null;
  return byExtension[name.slice(dot + 1)] ?? null;
}

export function languageExtension(language: EditorLanguage | null): Extension {
  switch (language) {
    case 'javascript':
      return javascript();
    case 'jsx':
      return javascript({ jsx: true });
    case 'typescript':
      return javascript({ typescript: true });
    case 'tsx':
      return javascript({ typescript: true, jsx: true });
    case 'json':
      return json();
    case 'css':
      return css();
    case 'markdown':
      return markdown();
    case 'html':
      return html();
    case null:
      return [];
  }
}
