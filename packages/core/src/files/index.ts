// The workspace file model: path rules, file operations on the workspace Y.Doc, and archive import/export.

export {
  MAX_PATH_BYTES,
  MAX_PATH_DEPTH,
  MAX_SEGMENT_BYTES,
  ancestorsOf,
  basename,
  comparePaths,
  extname,
  isInside,
  isValidPath,
  joinPath,
  normalizePath,
  parentOf,
  pathKey,
  rebasePath,
  splitPath,
  tryNormalizePath,
} from './path.ts';
export { PathIndex, describeConflict, type PathConflict } from './path-index.ts';
export { writeTar, type TarFile } from './tar.ts';
export { workspacePathSchema } from './schemas.ts';
export {
  MAX_UPLOAD_ENTRIES,
  archiveDownloadQuery,
  archiveUploadQuery,
  createFileInput,
  deleteFileInput,
  downloadFormats,
  filePathInput,
  listFilesInput,
  readFileInput,
  renameFileInput,
  uploadEntryInput,
  uploadFilesInput,
  writeFileInput,
  type ArchiveUploadQuery,
  type CreateFileInput,
  type DownloadFormat,
  type UploadEntryInput,
  type UploadFilesInput,
} from './api-schemas.ts';

export { decodeText, encodeText, isBinaryContent, utf8ByteLength } from './content.ts';
export { PLAIN_TEXT, detectLanguage } from './language.ts';
export {
  defaultWorkspaceLimits,
  formatBytes,
  resolveWorkspaceLimits,
  type WorkspaceLimits,
} from './limits.ts';
export { applyTextEdits, computeTextEdits, type TextEdit } from './text-diff.ts';
export { replaceText } from './doc-writes.ts';
export { workspaceDocLayout } from './doc-layout.ts';

export {
  BINARIES_MAP,
  FILES_MAP,
  META_MAP,
  binariesMap,
  filesMap,
  getStoredFile,
  listStoredFiles,
  metaMap,
  observeStoredFiles,
  parseMeta,
  storedFiles,
  type FileMeta,
  type StoredFile,
  type StoredFileEntry,
} from './workspace-doc.ts';
export type { FileContentInput } from './write-guards.ts';
export { livePathIndex } from './write-guards.ts';
export {
  createFile,
  deleteFile,
  deleteFolder,
  renameFile,
  renameFolder,
  writeFile,
  type FolderMove,
  type MutationOptions,
  type WriteOptions,
} from './model.ts';
export {
  exportFiles,
  fileExists,
  fileInfo,
  listTree,
  readFile,
  readTextFile,
  workspaceStats,
  type ExportedFile,
  type FileContent,
  type FileInfo,
  type TreeEntry,
  type WorkspaceStats,
} from './queries.ts';
export { importFiles, type ImportEntry, type ImportOptions, type ImportResult } from './import-files.ts';

export {
  exportSlice,
  exportStoredDoc,
  importArrivingIntoStoredDoc,
  importIntoStoredDoc,
  placeUnder,
  storedDocHasFiles,
  storedEditUpdates,
  type StoredImport,
  type StoredImportOptions,
  importSlice,
  planExport,
  planImport,
  trackImport,
  type ExportPlan,
  type ImportPlan,
  type SliceOptions,
} from './archive-slices.ts';
export {
  defaultArchiveLimits,
  resolveArchiveLimits,
  type ArchiveEntry,
  type ArchiveLimits,
} from './archive-collector.ts';
export { jsArchiveCodec, type ArchiveCodec } from './archive-codec.ts';
export {
  detectArchiveFormat,
  readArchive,
  writeArchive,
  type ArchiveFileInput,
  type ArchiveFormat,
  type ReadArchiveOptions,
  type WriteArchiveOptions,
} from './archive.ts';
export {
  defaultIndentation,
  detectIndentation,
  editorConfigDirs,
  editorConfigGlob,
  editorConfigProperties,
  indentUnitText,
  parseEditorConfig,
  resolveIndentation,
  type EditorConfig,
  type EditorConfigSection,
  type Indentation,
  type IndentStyle,
} from './indentation.ts';
