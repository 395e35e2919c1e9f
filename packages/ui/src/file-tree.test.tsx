// @vitest-environment happy-dom
import { act } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { FileTree, type FileTreeProps } from './file-tree.tsx';
import { mount, rerender } from './test-dom.tsx';

const paths = ['src/app.ts', 'src/lib/util.ts', 'src/index.ts', 'README.md', 'package.json'];

function props(overrides: Partial<FileTreeProps> = {}): FileTreeProps {
  return {
    paths,
    onOpen: vi.fn(),
    onCreate: vi.fn(),
    onRename: vi.fn(),
    onDelete: vi.fn(),
    onMove: vi.fn(),
    ...overrides,
  };
}

const show = (p: FileTreeProps) => mount(<FileTree {...p} />);

const rowsIn = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>('[role="treeitem"]')];
const rowPaths = (el: HTMLElement) => rowsIn(el).map((r) => r.dataset.path);
function row(el: HTMLElement, path: string): HTMLElement {
  const found = rowsIn(el).find((r) => r.dataset.path === path);
  if (!found) throw new Error(`no row ${path}`);
  return found;
}
const focusedPath = () => (document.activeElement as HTMLElement | null)?.dataset.path;

function key(target: Element, k: string, init: KeyboardEventInit = {}) {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
  });
}

function type(input: HTMLInputElement, value: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

function input(el: HTMLElement, label: string): HTMLInputElement {
  const found = el.querySelector<HTMLInputElement>(`input[aria-label="${label}"]`);
  if (!found) throw new Error(`no input ${label}`);
  return found;
}

function button(el: ParentNode, name: string): HTMLButtonElement {
  const found = [...el.querySelectorAll('button')].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent) === name,
  );
  if (!found) throw new Error(`no button ${name}`);
  return found;
}

describe('FileTree', () => {
  it('renders a labelled tree with folders collapsed, folders first', () => {
    const el = show(props({ ariaLabel: 'Workspace files' }));
    const tree = el.querySelector('[role="tree"]');
    expect(tree?.getAttribute('aria-label')).toBe('Workspace files');
    expect(rowPaths(el)).toEqual(['src', 'package.json', 'README.md']);
    const src = row(el, 'src');
    expect(src.getAttribute('aria-expanded')).toBe('false');
    expect(src.getAttribute('aria-level')).toBe('1');
    expect(src.getAttribute('aria-setsize')).toBe('3');
    expect(row(el, 'README.md').hasAttribute('aria-expanded')).toBe(false);
    expect(row(el, 'README.md').querySelector('[data-glyph]')?.getAttribute('data-glyph')).toBe('MD');
  });

  it('lists binary files beside text files, with their size in view and in the accessible name', () => {
    const el = show(
      props({
        paths: [...paths, 'media/logo.png', 'media/logo.ai'],
        binarySizes: new Map([
          ['media/logo.png', 2048],
          ['media/logo.ai', 70],
        ]),
        selected: 'media/logo.png',
      }),
    );
    expect(rowPaths(el)).toEqual([
      'media',
      'media/logo.ai',
      'media/logo.png',
      'src',
      'package.json',
      'README.md',
    ]);
    expect(row(el, 'media/logo.png').querySelector('[data-size]')?.textContent).toBe('2 KiB');
    expect(row(el, 'media/logo.png').getAttribute('aria-label')).toBe('logo.png 2 KiB, binary');
    expect(row(el, 'media/logo.ai').querySelector('[data-size]')?.textContent).toBe('70 B');
    expect(row(el, 'README.md').querySelector('[data-size]')).toBeNull();
    expect(row(el, 'media').querySelector('[data-size]')).toBeNull();
  });

  it('reveals and marks the selected file, and has exactly one tab stop', () => {
    const el = show(props({ selected: 'src/lib/util.ts' }));
    expect(rowPaths(el)).toEqual([
      'src',
      'src/lib',
      'src/lib/util.ts',
      'src/app.ts',
      'src/index.ts',
      'package.json',
      'README.md',
    ]);
    const util = row(el, 'src/lib/util.ts');
    expect(util.getAttribute('aria-selected')).toBe('true');
    expect(util.getAttribute('aria-level')).toBe('3');
    expect(util.className).toContain('bg-indigo-50');
    expect(rowsIn(el).filter((r) => r.tabIndex === 0)).toEqual([util]);
  });

  it('expands the folders of a file selected later', () => {
    const p = props();
    const el = show(p);
    rerender(<FileTree {...p} selected="src/lib/util.ts" />);
    expect(rowPaths(el)).toContain('src/lib/util.ts');
  });

  it('moves focus with the arrow, Home and End keys', () => {
    const el = show(props());
    act(() => row(el, 'src').focus());
    key(row(el, 'src'), 'ArrowDown');
    expect(focusedPath()).toBe('package.json');
    expect(row(el, 'package.json').tabIndex).toBe(0);
    expect(row(el, 'src').tabIndex).toBe(-1);
    key(row(el, 'package.json'), 'End');
    expect(focusedPath()).toBe('README.md');
    key(row(el, 'README.md'), 'ArrowDown');
    expect(focusedPath()).toBe('README.md');
    key(row(el, 'README.md'), 'Home');
    expect(focusedPath()).toBe('src');
    key(row(el, 'src'), 'ArrowUp');
    expect(focusedPath()).toBe('src');
  });

  it('opens and closes folders with Right/Left and walks into and out of them', () => {
    const el = show(props());
    act(() => row(el, 'src').focus());
    key(row(el, 'src'), 'ArrowRight');
    expect(row(el, 'src').getAttribute('aria-expanded')).toBe('true');
    expect(focusedPath()).toBe('src');
    key(row(el, 'src'), 'ArrowRight');
    expect(focusedPath()).toBe('src/lib');
    key(row(el, 'src/lib'), 'ArrowDown');
    expect(focusedPath()).toBe('src/app.ts');
    key(row(el, 'src/app.ts'), 'ArrowLeft');
    expect(focusedPath()).toBe('src');
    key(row(el, 'src'), 'ArrowLeft');
    expect(row(el, 'src').getAttribute('aria-expanded')).toBe('false');
    expect(rowPaths(el)).not.toContain('src/app.ts');
  });

  it('Enter opens a file and toggles a folder', () => {
    const p = props();
    const el = show(p);
    act(() => row(el, 'src').focus());
    key(row(el, 'src'), 'Enter');
    expect(rowPaths(el)).toContain('src/app.ts');
    key(row(el, 'src'), 'Enter');
    expect(rowPaths(el)).not.toContain('src/app.ts');
    key(row(el, 'README.md'), 'Enter');
    expect(p.onOpen).toHaveBeenCalledExactlyOnceWith('README.md');
  });

  it('opens a file and toggles a folder on click', () => {
    const p = props();
    const el = show(p);
    act(() => row(el, 'src').click());
    expect(row(el, 'src').getAttribute('aria-expanded')).toBe('true');
    act(() => row(el, 'src/index.ts').click());
    expect(p.onOpen).toHaveBeenCalledWith('src/index.ts');
    expect(row(el, 'src/index.ts').tabIndex).toBe(0);
  });

  it('jumps to a row by typing the start of its name', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(10_000);
    const el = show(props({ paths: [...paths, 'pages.md'] }));
    act(() => row(el, 'src').focus());
    key(row(el, 'src'), 'r');
    expect(focusedPath()).toBe('README.md');
    // Quick keys extend the prefix: "pag" skips package.json for pages.md.
    now.mockReturnValue(20_000);
    key(row(el, 'README.md'), 'p');
    expect(focusedPath()).toBe('package.json');
    key(row(el, 'package.json'), 'a');
    expect(focusedPath()).toBe('package.json');
    key(row(el, 'package.json'), 'g');
    expect(focusedPath()).toBe('pages.md');
    // After a pause a key starts a new search.
    now.mockReturnValue(30_000);
    key(row(el, 'pages.md'), 's');
    expect(focusedPath()).toBe('src');
    now.mockRestore();
  });

  it('F2 renames in place and commits through onRename', () => {
    const p = props({ selected: 'src/app.ts' });
    const el = show(p);
    act(() => row(el, 'src/app.ts').focus());
    key(row(el, 'src/app.ts'), 'F2');
    const field = input(el, 'Rename src/app.ts');
    expect(document.activeElement).toBe(field);
    expect(field.value).toBe('app.ts');
    // The name is selected without its extension, ready to be typed over.
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, 3]);
    type(field, 'main.ts');
    key(field, 'Enter');
    expect(p.onRename).toHaveBeenCalledExactlyOnceWith('src/app.ts', 'src/main.ts');
    expect(el.querySelector('input')).toBeNull();
  });

  it('shows why a rename is refused and keeps the field open; Escape cancels', () => {
    const p = props({ selected: 'src/app.ts' });
    const el = show(p);
    key(row(el, 'src/app.ts'), 'F2');
    const field = input(el, 'Rename src/app.ts');
    type(field, 'index.ts');
    key(field, 'Enter');
    const alert = el.querySelector('[role="alert"]');
    expect(alert?.textContent).toBe('“src/index.ts” already exists.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(alert?.id);
    type(field, '../x.ts');
    expect(el.querySelector('[role="alert"]')?.textContent).toBe('“..” is not allowed in a path.');
    key(field, 'Escape');
    expect(el.querySelector('input')).toBeNull();
    expect(p.onRename).not.toHaveBeenCalled();
    expect(focusedPath()).toBe('src/app.ts');
  });

  it('Delete asks the owner to delete the focused file or folder', () => {
    const p = props();
    const el = show(p);
    key(row(el, 'src'), 'Delete');
    expect(p.onDelete).toHaveBeenCalledExactlyOnceWith('src');
  });

  it('creates a file in the active folder from the toolbar', () => {
    const p = props();
    const el = show(p);
    act(() => row(el, 'src').click());
    act(() => button(el, 'New file').click());
    const field = input(el, 'New file in src/');
    expect(document.activeElement).toBe(field);
    // The new row sits at the top of the folder's children.
    expect(field.closest('li')?.previousElementSibling?.getAttribute('data-path')).toBe('src');
    type(field, 'components/Button.tsx');
    key(field, 'Enter');
    expect(p.onCreate).toHaveBeenCalledExactlyOnceWith('src/components/Button.tsx');
  });

  it('creates a folder by its first file, and says so when the file is missing', () => {
    const p = props({ selected: 'README.md' });
    const el = show(p);
    act(() => button(el, 'New folder').click());
    const field = input(el, 'New folder in the top level');
    type(field, 'docs');
    key(field, 'Enter');
    expect(el.querySelector('[role="alert"]')?.textContent).toContain('folder/file.ts');
    type(field, 'docs/intro.md');
    key(field, 'Enter');
    expect(p.onCreate).toHaveBeenCalledExactlyOnceWith('docs/intro.md');
  });

  it('offers row actions in a menu that closes on Escape', () => {
    const p = props();
    const el = show(p);
    const trigger = button(row(el, 'src'), 'Actions for src');
    expect(trigger.getAttribute('aria-haspopup')).toBe('menu');
    act(() => trigger.click());
    const menu = el.querySelector('[role="menu"]');
    expect(menu?.getAttribute('aria-label')).toBe('Actions for src');
    expect([...(menu?.querySelectorAll('[role="menuitem"]') ?? [])].map((m) => m.textContent)).toEqual([
      'New file here',
      'Rename',
      'Move to…',
      'Delete',
    ]);
    expect(document.activeElement?.textContent).toBe('New file here');
    expect(trigger.getAttribute('aria-expanded')).toBe('true');
    key(document.activeElement ?? el, 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('Rename');
    key(document.activeElement ?? el, 'Escape');
    expect(el.querySelector('[role="menu"]')).toBeNull();
    expect(focusedPath()).toBe('src');
    expect(p.onOpen).not.toHaveBeenCalled();
  });

  it('runs a menu action: Delete on a file, opened from the keyboard', () => {
    const p = props();
    const el = show(p);
    key(row(el, 'README.md'), 'F10', { shiftKey: true });
    const menu = el.querySelector('[role="menu"]');
    expect([...(menu?.querySelectorAll('[role="menuitem"]') ?? [])].map((m) => m.textContent)).toEqual([
      'Rename',
      'Move to…',
      'Delete',
    ]);
    act(() => button(el, 'Delete').click());
    expect(p.onDelete).toHaveBeenCalledExactlyOnceWith('README.md');
    expect(el.querySelector('[role="menu"]')).toBeNull();
  });

  it('moves a file to another folder through the menu', () => {
    const p = props({ selected: 'src/app.ts' });
    const el = show(p);
    act(() => button(row(el, 'src/app.ts'), 'Actions for src/app.ts').click());
    act(() => button(el, 'Move to…').click());
    const field = input(el, 'Move src/app.ts to folder (empty for the top level)');
    expect(field.value).toBe('src');
    type(field, 'src/lib/');
    key(field, 'Enter');
    expect(p.onMove).toHaveBeenCalledExactlyOnceWith('src/app.ts', 'src/lib');
  });

  it('moves a dragged row onto a folder, and onto the top level', () => {
    const p = props({ selected: 'src/lib/util.ts' });
    const el = show(p);
    const drag = (type: string, target: Element) =>
      act(() => {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true }));
      });
    drag('dragstart', row(el, 'README.md'));
    drag('dragover', row(el, 'src/lib'));
    expect(row(el, 'src/lib').className).toContain('ring-indigo-600');
    drag('drop', row(el, 'src/lib'));
    expect(p.onMove).toHaveBeenLastCalledWith('README.md', 'src/lib');

    // A file dropped on a file lands in that file's folder; a folder cannot go inside itself.
    drag('dragstart', row(el, 'src'));
    drag('drop', row(el, 'src/lib/util.ts'));
    expect(p.onMove).toHaveBeenCalledTimes(1);

    drag('dragstart', row(el, 'src/lib/util.ts'));
    const tree = el.querySelector('[role="tree"]');
    if (!tree) throw new Error('no tree');
    drag('drop', tree);
    expect(p.onMove).toHaveBeenLastCalledWith('src/lib/util.ts', '');
  });

  it('shows who has a file open, and rolls it up onto a collapsed folder', () => {
    const presence = {
      'src/app.ts': [{ name: 'Ada', color: '#e11d48' }],
      'README.md': [
        { name: 'Grace', color: '#2563eb' },
        { name: 'Linus', color: '#16a34a' },
      ],
    };
    const el = show(props({ presence }));
    expect(row(el, 'README.md').getAttribute('aria-label')).toBe('README.md, open by Grace, Linus');
    expect(row(el, 'src').getAttribute('aria-label')).toBe('src, open by Ada');
    const dots = row(el, 'README.md').querySelectorAll<HTMLElement>('span.rounded-full');
    expect([...dots].map((d) => d.style.backgroundColor)).toEqual(['#2563eb', '#16a34a']);
    act(() => row(el, 'src').click());
    expect(row(el, 'src').getAttribute('aria-label')).toBe('src');
    expect(row(el, 'src/app.ts').getAttribute('aria-label')).toBe('app.ts, open by Ada');
  });

  it('read-only hides every mutation and ignores F2 and Delete', () => {
    const p = props({ readOnly: true });
    const el = show(p);
    const labels = [...el.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'));
    expect(labels).toEqual(['Collapse all folders']);
    expect(rowsIn(el).every((r) => !r.draggable)).toBe(true);
    key(row(el, 'README.md'), 'F2');
    key(row(el, 'README.md'), 'Delete');
    key(row(el, 'README.md'), 'F10', { shiftKey: true });
    expect(el.querySelector('input, [role="menu"]')).toBeNull();
    expect(p.onDelete).not.toHaveBeenCalled();
    key(row(el, 'README.md'), 'Enter');
    expect(p.onOpen).toHaveBeenCalledWith('README.md');
  });

  it('keeps focus in the tree when the focused file is deleted', () => {
    const p = props({ selected: 'README.md' });
    const el = show(p);
    act(() => row(el, 'package.json').focus());
    rerender(<FileTree {...p} paths={paths.filter((x) => x !== 'package.json')} />);
    expect(focusedPath()).toBe('README.md');
  });

  it('renders only the rows of expanded folders, even for 2,000 files', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => `pkg${i % 10}/file${i}.ts`);
    const el = show(props({ paths: many, defaultExpanded: ['pkg3'] }));
    expect(rowsIn(el)).toHaveLength(10 + 200);
  });

  it('renders on the server and says when there are no files', () => {
    const html = renderToStaticMarkup(<FileTree {...props({ paths: [] })} />);
    expect(html).toContain('role="tree"');
    expect(html).toContain('No files yet.');
  });
});
