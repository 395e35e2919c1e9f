// The object reader and writer against the real git CLI: every object of packed (offset and reference deltas) and
// loose repositories reads back as `git cat-file` prints it, and what we write is what git writes.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, symlink, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, ObjectStore, parseTree } from './object-store.ts';
import { objectId, treeContent, writeObject } from './objects.ts';

const run = promisify(execFile);
const identity = ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main'];

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', [...identity, ...args], { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }))
    .stdout;
}

async function gitBytes(cwd: string, ...args: string[]): Promise<Buffer> {
  return (await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' })).stdout;
}

/** Every object id and type in the repository, as git lists them. */
async function allObjects(gitdir: string): Promise<{ oid: string; type: string }[]> {
  const out = await git(
    gitdir,
    'cat-file',
    '--batch-all-objects',
    '--batch-check=%(objectname) %(objecttype)',
  );
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [oid = '', type = ''] = line.split(' ');
      return { oid, type };
    });
}

describe('ObjectStore', { timeout: 60_000 }, () => {
  let root: string;
  let work: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tandem-objects-'));
    work = path.join(root, 'work');
    await mkdir(path.join(work, 'src', 'deep', 'er'), { recursive: true });
    await git(root, 'init', '-q', work);
    // Similar files across commits, so the packs are full of deltas; a big one needs copies over 64 KiB.
    const big = Array.from({ length: 4000 }, (_, i) => `line ${i} of a long file\n`).join('');
    for (let c = 0; c < 6; c += 1) {
      for (let i = 0; i < 12; i += 1) {
        const body = Array.from({ length: 60 }, (_, j) => `export const v${i}_${j} = ${j * (c + 1)};`);
        await writeFile(path.join(work, 'src', `f${i}.ts`), `${body.join('\n')}\n// rev ${c}\n`);
      }
      await writeFile(
        path.join(work, 'src', 'deep', 'er', 'big.txt'),
        big.replace('line 7 ', `line 7 (${c}) `),
      );
      await writeFile(path.join(work, 'bin.dat'), Buffer.from([0, 1, 2, 255, c, 0, 9]));
      await writeFile(path.join(work, 'empty'), '');
      await writeFile(path.join(work, 'naïve é.md'), `unicode ${c}\n`);
      if (c === 0) await symlink('src/f1.ts', path.join(work, 'link'));
      await git(work, 'add', '-A');
      await git(work, 'commit', '-qm', `commit ${c}`);
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function bareCopy(name: string, ...repack: string[]): Promise<string> {
    const gitdir = path.join(root, name);
    await git(root, 'clone', '-q', '--bare', '--no-local', work, gitdir);
    if (repack.length > 0) await git(gitdir, ...repack);
    return gitdir;
  }

  async function expectAllObjectsRead(gitdir: string) {
    const objects = await allObjects(gitdir);
    expect(objects.length).toBeGreaterThan(50);
    const store = new ObjectStore(gitdir);
    try {
      for (const { oid, type } of objects) {
        const read = store.read(oid);
        expect(read?.type).toBe(type);
        expect(read?.content.equals(await gitBytes(gitdir, 'cat-file', type, oid))).toBe(true);
      }
    } finally {
      store.close();
    }
  }

  it('reads every object of a pack with offset deltas', async () => {
    const gitdir = await bareCopy('ofs', 'repack', '-adfq', '--depth=50', '--window=50');
    const count = await git(gitdir, 'verify-pack', '-v', ...(await packs(gitdir)));
    expect(count).toMatch(/chain length = [2-9]/);
    await expectAllObjectsRead(gitdir);
  });

  it('reads every object of a pack with reference deltas', async () => {
    const gitdir = await bareCopy(
      'ref',
      '-c',
      'repack.useDeltaBaseOffset=false',
      'repack',
      '-adfq',
      '--depth=50',
    );
    await expectAllObjectsRead(gitdir);
  });

  it('reads loose objects, and objects of a pack added after it was opened', async () => {
    const gitdir = path.join(root, 'loose');
    await git(root, 'init', '-q', '--bare', gitdir);
    await git(gitdir, '-c', 'fetch.unpackLimit=100000', 'fetch', '-q', work, 'main:main');
    expect(await packs(gitdir)).toEqual([]);
    await expectAllObjectsRead(gitdir);

    const later = path.join(root, 'later');
    await git(root, 'init', '-q', '--bare', later);
    const store = new ObjectStore(later);
    try {
      const head = (await git(work, 'rev-parse', 'HEAD')).trim();
      expect(store.read(head)).toBeNull();
      await git(later, '-c', 'fetch.unpackLimit=1', 'fetch', '-q', work, 'main:main');
      expect(await packs(later)).toHaveLength(1);
      expect(store.get(head, 'commit').content.toString()).toContain('commit 5');
    } finally {
      store.close();
    }
  });

  it('lists trees as isomorphic-git does, and says what is missing or malformed with typed errors', async () => {
    const gitdir = await bareCopy('trees');
    const store = new ObjectStore(gitdir);
    try {
      const tree = (await git(gitdir, 'rev-parse', 'HEAD^{tree}')).trim();
      const entries = parseTree(store.get(tree, 'tree').content);
      expect(entries.map((e) => `${e.mode} ${e.type} ${e.path}`)).toEqual([
        '100644 blob bin.dat',
        '100644 blob empty',
        '120000 blob link',
        '100644 blob naïve é.md',
        '040000 tree src',
      ]);
      expect(() => store.get('0'.repeat(40))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      expect(() => store.get(tree, 'blob')).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    } finally {
      store.close();
    }
    const ids = await allObjects(gitdir);
    const [pack] = await packs(gitdir);
    await truncate(pack ?? '', (await stat(pack ?? '')).size - 200);
    const broken = new ObjectStore(gitdir);
    try {
      expect(() => {
        for (const { oid } of ids) broken.read(oid);
        // The pack lost its end: the last objects cannot be read whole.
        throw new Error('every object read');
      }).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    } finally {
      broken.close();
    }
  });

  it('refuses a delta that copies from outside its base', () => {
    const base = Buffer.from('hello');
    // base size 5, result size 3, copy 3 bytes from offset 4.
    expect(() => applyDelta(base, Buffer.from([5, 3, 0x91, 4, 3]))).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
    expect(applyDelta(base, Buffer.from([5, 3, 0x91, 1, 2, 1, 0x21]))).toEqual(Buffer.from('el!'));
  });

  async function packs(gitdir: string): Promise<string[]> {
    const dir = path.join(gitdir, 'objects', 'pack');
    return (await readdir(dir)).filter((f) => f.endsWith('.pack')).map((f) => path.join(dir, f));
  }
});

describe('writeObject and treeContent', () => {
  let gitdir: string;
  beforeAll(async () => {
    gitdir = await mkdtemp(path.join(tmpdir(), 'tandem-write-'));
    await git(gitdir, 'init', '-q', '--bare', '.');
  });
  afterAll(() => rm(gitdir, { recursive: true, force: true }));

  it('writes blobs git reads back under the id git gives them', async () => {
    const contents = ['one\n', '', 'naïve\n', '\0binary\xff'].map((t) => Buffer.from(t, 'latin1'));
    const ids = contents.map((content) => writeObject(gitdir, 'blob', content));
    for (const [i, content] of contents.entries()) {
      expect(ids[i]).toBe(objectId('blob', content));
      expect(await gitBytes(gitdir, 'cat-file', 'blob', ids[i] ?? '')).toEqual(content);
    }
    // Writing it again is harmless.
    expect(writeObject(gitdir, 'blob', contents[0] ?? Buffer.alloc(0))).toBe(ids[0]);
  });

  it('writes trees in git order, so git mktree agrees on the id and fsck finds nothing', async () => {
    const blob = writeObject(gitdir, 'blob', Buffer.from('x\n'));
    const inner = writeObject(gitdir, 'tree', treeContent([{ mode: '100644', name: 'x', oid: blob }]));
    const names = ['a.b', 'a-b', 'b', 'Z', 'é', 'a0'];
    const entries = [
      ...names.map((name) => ({ mode: '100644', name, oid: blob })),
      { mode: '100755', name: 'run', oid: blob },
      { mode: '040000', name: 'a', oid: inner },
    ];
    const ours = writeObject(gitdir, 'tree', treeContent(entries));
    const listing = entries
      .map((e) => `${e.mode === '040000' ? '040000 tree' : `${e.mode} blob`} ${e.oid}\t${e.name}`)
      .join('\n');
    const child = execFile('git', ['mktree'], { cwd: gitdir });
    child.stdin?.end(`${listing}\n`);
    const theirs = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`mktree ${code}`))));
    });
    expect(ours).toBe(theirs);
    const commit = (await git(gitdir, 'commit-tree', ours, '-m', 'tree')).trim();
    await git(gitdir, 'update-ref', 'refs/heads/main', commit);
    await git(gitdir, 'fsck', '--strict', '--no-progress');
    expect(await readFile(path.join(gitdir, 'objects', ours.slice(0, 2), ours.slice(2)))).toBeTruthy();
  });
});
