// WebSocket close codes the room uses. y-websocket stops reconnecting on 4400-4499 (a decision the client cannot
// fix by retrying) and reconnects on everything else, which is what we want for 4503: its unsent edits are resent
// from its local document on reconnect.

export const syncCloseCodes = {
  goingAway: 1001,
  badMessage: 4400,
  forbidden: 4403,
  /** An update from a read-only connection, or from a Yjs client whose earlier edits were refused so. */
  editsRefused: 4409,
  tooLarge: 4413,
  /** An update that breaks the document's layout (an invalid path, a wrong value type, bad metadata). */
  invalidUpdate: 4422,
  rateLimited: 4429,
  unavailable: 4503,
} as const;

export type SyncCloseCode = (typeof syncCloseCodes)[keyof typeof syncCloseCodes];

/**
 * The client contract for a refused update. After one of these closes the client's local document holds edits
 * the server refused and never will accept: a y-websocket provider would send them again with its whole state on
 * any reconnect. The client must throw that document away and join again with a new `Y.Doc` (a new Yjs client id),
 * which syncs the server's state only. The server enforces it too: updates that build on refused edits, and
 * changes sent over a connection that speaks for a refused client id, are refused again with 4409.
 */
export const resyncCloseCodes: readonly number[] = [
  syncCloseCodes.editsRefused,
  syncCloseCodes.tooLarge,
  syncCloseCodes.invalidUpdate,
];
