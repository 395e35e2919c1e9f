// The workspace file model: files live in one Y.Doc (`doc.getMap('files')`, path -> Y.Text), and every operation
// checks its input first, then changes the document in one transaction. Run: pnpm --filter @tandem/example-core file-model
import {
  createFile,
  deleteFile,
  isAppError,
  listTree,
  readTextFile,
  renameFolder,
  writeFile,
} from '@tandem/core';
import * as Y from 'yjs';

const doc = new Y.Doc();

// Paths are normalized (no `..`, no absolute paths); a text file is a Y.Text that peers edit together.
createFile(doc, 'src/greet.ts', "export const greet = (name: string) => 'Hello ' + name;\n");
createFile(doc, 'README.md', '# Demo\n');

// A write is applied as a minimal diff, so a cursor in the unchanged text stays where it was.
const text = doc.getMap<Y.Text>('files').get('src/greet.ts');
if (!text) throw new Error('createFile made no Y.Text');
const cursor = Y.createRelativePositionFromTypeIndex(text, text.toString().indexOf(';'));
writeFile(doc, 'src/greet.ts', 'export const greet = (name: string) => `Hello, ${name}!`;\n');
const moved = Y.createAbsolutePositionFromRelativePosition(cursor, doc);
console.log(`a cursor before ';' is still before ';': ${text.toString()[moved?.index ?? -1] === ';'}`);

// Folders are implied by paths; a folder move is one transaction.
console.log('moves:', JSON.stringify(renameFolder(doc, 'src', 'lib')));
console.log(
  'tree:',
  listTree(doc)
    .map((entry) => `${entry.kind} ${entry.path}`)
    .join(', '),
);
console.log(`lib/greet.ts: ${readTextFile(doc, 'lib/greet.ts').trim()}`);

// Bad input is a typed AppError with a code, and the document is unchanged.
for (const attempt of [
  () => createFile(doc, '../etc/passwd', 'x'),
  () => createFile(doc, 'readme.md', 'x'),
]) {
  try {
    attempt();
  } catch (error) {
    if (!isAppError(error)) throw error;
    console.log(`refused: ${error.code}: ${error.message}`);
  }
}
deleteFile(doc, 'README.md');
console.log(`files left: ${[...doc.getMap('files').keys()].join(', ')}`);
