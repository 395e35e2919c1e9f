// Which connection introduced which awareness client id. A connection may only speak for ids it introduced, so
// nobody can overwrite or remove another person's cursor. The same user may take an id over, because a reconnecting
// y-websocket client keeps its id while the server may not have noticed the old transport is dead yet.

interface Claim<Owner> {
  owner: Owner;
  userId: string;
}

export class AwarenessOwners<Owner> {
  readonly #byClient = new Map<number, Claim<Owner>>();
  readonly #byOwner = new Map<Owner, Set<number>>();

  ownerOf(clientId: number): Owner | undefined {
    return this.#byClient.get(clientId)?.owner;
  }

  /**
   * True when `owner` may update `clientId`, claiming it if it is free. `mayTakeOver` decides whether an existing
   * claim by another owner of the same user can be moved.
   */
  claim(
    clientId: number,
    owner: Owner,
    userId: string,
    maxPerOwner: number,
    mayTakeOver: (current: Owner) => boolean,
  ): boolean {
    const current = this.#byClient.get(clientId);
    if (current?.owner === owner) return true;
    if (current !== undefined && (current.userId !== userId || !mayTakeOver(current.owner))) return false;
    const owned = this.#byOwner.get(owner);
    if ((owned?.size ?? 0) >= maxPerOwner) return false;
    if (current !== undefined) this.#byOwner.get(current.owner)?.delete(clientId);
    this.#byClient.set(clientId, { owner, userId });
    if (owned === undefined) this.#byOwner.set(owner, new Set([clientId]));
    else owned.add(clientId);
    return true;
  }

  owned(owner: Owner): number[] {
    return [...(this.#byOwner.get(owner) ?? [])];
  }

  /** Forgets everything `owner` claimed and returns those ids. */
  release(owner: Owner): number[] {
    const ids = this.owned(owner);
    for (const id of ids) this.#byClient.delete(id);
    this.#byOwner.delete(owner);
    return ids;
  }

  releaseClient(clientId: number): void {
    const current = this.#byClient.get(clientId);
    if (current === undefined) return;
    this.#byClient.delete(clientId);
    const owned = this.#byOwner.get(current.owner);
    owned?.delete(clientId);
    if (owned?.size === 0) this.#byOwner.delete(current.owner);
  }
}
