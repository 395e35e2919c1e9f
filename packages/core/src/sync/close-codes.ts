// WebSocket close codes the room uses. y-websocket stops reconnecting on 4400-4499 (a decision the client cannot
// fix by retrying) and reconnects on everything else, which is what we want for 4503: its unsent edits are resent
// from its local document on reconnect.

export const syncCloseCodes = {
  goingAway: 1001,
  badMessage: 4400,
  forbidden: 4403,
  tooLarge: 4413,
  rateLimited: 4429,
  unavailable: 4503,
} as const;

export type SyncCloseCode = (typeof syncCloseCodes)[keyof typeof syncCloseCodes];
