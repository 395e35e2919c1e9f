// Yjs sync server core, transport-agnostic. The server creates one RoomManager per process with a DocStorage (and a
// RoomBus when scaled out), calls join() for every authenticated WebSocket on /yjs/<workspaceId>, feeds binary frames
// to handle.receive() and calls handle.leave() when the socket closes.
export { resyncCloseCodes, syncCloseCodes, type SyncCloseCode } from './close-codes.ts';
export {
  compactDoc,
  foldStoredDoc,
  foldStoredDocInParts,
  type CompactionResult,
  type FoldStoredDoc,
} from './compaction.ts';
export { MemoryRoomBus } from './memory-bus.ts';
export { MemoryDocStorage } from './memory-storage.ts';
export {
  type AwarenessEntry,
  type DecodedUpdate,
  type SyncMessage,
  type SyncMessageKind,
  decodeSyncMessage,
  encodeAwarenessMessage,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdateMessage,
  messageAwareness,
  messageQueryAwareness,
  messageSync,
} from './protocol.ts';
export {
  RoomManager,
  serverEditOrigin,
  type RoomManagerOptions,
  type UnloadedEdit,
  type UnloadedWrite,
} from './room-manager.ts';
export { encodeState, encodeStateInParts } from './encode-state.ts';
export { isStaged, snapshotPieces, snapshotUpdate } from './stored-doc.ts';
export {
  type ConnectionContext,
  type DocStorage,
  type RefusalReason,
  type RoomBus,
  type RoomHandle,
  type AuthorshipHooks,
  type StoredDoc,
  type StagedState,
  type StoredEdit,
  type SyncConnection,
  type SyncErrorOperation,
  type SyncLimits,
  type SyncMetrics,
  defaultSyncLimits,
} from './types.ts';
export {
  type DocLayout,
  type ItemPlace,
  type SharedTypeKind,
  PendingStructs,
  deletesSomethingNew,
  inspectClientUpdate,
} from './update-check.ts';
export {
  type AppendLog,
  type WriteAheadOptions,
  WriteAheadStorage,
  encodeLogRecord,
  replayLog,
} from './write-ahead.ts';
