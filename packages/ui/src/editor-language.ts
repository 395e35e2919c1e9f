// Which CodeMirror language a file gets, decided by its path alone: the workspace has no MIME types, and a
// wrong guess only costs highlighting. Each language's parser loads on first use, so an editor bundle carries
// none of them and a page pays only for the languages its files are in.
import type { Extension } from '@codemirror/state';
import { useEffect, useState } from 'react';

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

async function importLanguage(language: EditorLanguage): Promise<Extension> {
  switch (language) {
    case 'javascript':
    case 'jsx':
    case 'typescript':
    case 'tsx': {
      const { javascript } = await import('@codemirror/lang-javascript');
      return javascript({
        jsx: language === 'jsx' || language === 'tsx',
        typescript: language === 'typescript' || language === 'tsx',
      });
    }
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'css':
      return (await import('@codemirror/lang-css')).css();
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    case 'html':
      return (await import('@codemirror/lang-html')).html();
  }
}

const loaded = new Map<EditorLanguage, Extension>();
const loading = new Map<EditorLanguage, Promise<Extension>>();

/** The language's extension if it has loaded already (plain text is always ready), else undefined. */
export function loadedLanguage(language: EditorLanguage | null): Extension | undefined {
  return language === null ? [] : loaded.get(language);
}

/** Loads (once) and returns the language's extension; `null` is plain text. */
export function loadLanguage(language: EditorLanguage | null): Promise<Extension> {
  if (language === null) return Promise.resolve([]);
  let pending = loading.get(language);
  if (!pending) {
    pending = importLanguage(language).then((extension) => {
      loaded.set(language, extension);
      return extension;
    });
    // A failed chunk load (network) may be tried again by the next editor.
    pending.catch(() => loading.delete(language));
    loading.set(language, pending);
  }
  return pending;
}

/**
 * The language's extension for a component: plain text until its parser has loaded (the text is usable before
 * that), then the highlighting. A language that changed meanwhile never gets the old one's late arrival.
 */
export function useLanguageExtension(language: EditorLanguage | null): Extension {
  const [extension, setExtension] = useState<Extension>(() => loadedLanguage(language) ?? []);
  useEffect(() => {
    let live = true;
    void loadLanguage(language).then((loadedExtension) => {
      if (live) setExtension(loadedExtension);
    });
    return () => {
      live = false;
    };
  }, [language]);
  return extension;
}
