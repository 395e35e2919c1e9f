// What a client's update would do to the live document, worked out from its decoded structs before anything is
// applied: where each new item would land (root, enclosing shared types, key), whether the update changes anything
// at all, and how many content bytes it adds. The room refuses the whole update on a finding; the document's own
// rules (the workspace file layout) are injected as a `DocLayout`.
//
// Yjs writes an item's parent only when it has no neighbours; an item inserted next to others names just its left
// or right origin and inherits that one's parent and key while integrating. So the place of a new item is found by
// following origins to an item whose parent is known: in the live document, earlier in this update, or in an
// update that was accepted but is still being made durable (`PendingStructs`). A dependency found nowhere makes the
// update unresolvable: Yjs would park it until the missing part arrives, after any check could see it.
import * as Y from 'yjs';
import type { DecodedUpdate } from './protocol.ts';

/** An item's content as Yjs decodes it (Yjs does not export the base class's type). */
export type ItemContent = Y.Item['content'];

export type SharedTypeKind = 'text' | 'map' | 'array' | 'xml' | 'other';

/** Where an item lives: a root type, the shared types between the root and the item, and its key in its parent. */
export interface ItemPlace {
  root: string;
  /** The enclosing shared types, outermost first: each one's key in its own parent and its kind. */
  via: readonly { key: string | null; type: SharedTypeKind }[];
  /** The item's key in a map (null for an element of a sequence, such as a character of a text). */
  key: string | null;
}

/** The layout a document's content must keep; the room applies it to every item a client adds. */
export interface DocLayout {
  /** Why `content` may not be added at `place` (a short reason a client may see), or null when it may. */
  refuse(place: ItemPlace, content: ItemContent): string | null;
  /** The content bytes the document holds, for `SyncLimits.maxWorkspaceBytes`. Exact, so it may be slow. */
  contentBytes(doc: Y.Doc): number;
  /**
   * Removes what a loaded document holds against the layout (stored before the layout was enforced), inside the
   * caller's transaction; returns how many entries it removed.
   */
  repair(doc: Y.Doc): number;
}

/** What the item a struct became resolves to: its place, or null when Yjs will garbage-collect it on arrival. */
interface Resolved {
  place: ItemPlace | null;
  /** The kind of shared type the item holds, if it holds one. */
  kind: SharedTypeKind | null;
}

interface PendingEntry {
  clock: number;
  end: number;
  resolved: Resolved;
}

/** Items of accepted updates that are not in the live document yet, so later updates can build on them. */
export class PendingStructs {
  readonly #byClient = new Map<number, PendingEntry[]>();
  #count = 0;

  get size(): number {
    return this.#count;
  }

  add(client: number, entry: PendingEntry): void {
    let entries = this.#byClient.get(client);
    if (entries === undefined) {
      entries = [];
      this.#byClient.set(client, entries);
    }
    // A client's clocks only grow, so this is an append but for clients whose updates arrive out of order.
    let at = entries.length;
    while (at > 0 && (entries[at - 1]?.clock ?? 0) > entry.clock) at--;
    entries.splice(at, 0, entry);
    this.#count++;
  }

  remove(client: number, entry: PendingEntry): void {
    const entries = this.#byClient.get(client);
    const at = entries?.indexOf(entry) ?? -1;
    if (entries === undefined || at === -1) return;
    entries.splice(at, 1);
    this.#count--;
    if (entries.length === 0) this.#byClient.delete(client);
  }

  find(client: number, clock: number): PendingEntry | undefined {
    const entries = this.#byClient.get(client);
    if (entries === undefined) return undefined;
    let low = 0;
    let high = entries.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const entry = entries[mid];
      if (entry === undefined) break;
      if (clock < entry.clock) high = mid - 1;
      else if (clock >= entry.end) low = mid + 1;
      else return entry;
    }
    return undefined;
  }

  clear(): void {
    this.#byClient.clear();
    this.#count = 0;
  }
}

export type UpdateFinding =
  /** An item the layout does not allow; `reason` says which and why. */
  | { kind: 'invalid'; reason: string }
  /**
   * An item builds on content the server does not have (yet): a reconnecting client's new keystroke can arrive
   * before the sync reply that carries what it builds on, or before another instance's update reaches this one.
   */
  | { kind: 'missing'; reason: string }
  /** The update cannot be placed at all (circular, nested too deeply). */
  | { kind: 'unresolvable'; reason: string };

export interface UpdateInspection {
  finding: UpdateFinding | null;
  /** The update adds items the document does not have yet. */
  addsItems: boolean;
  /** UTF-8 bytes of text and bytes of binary content the new items carry (an upper bound of the growth). */
  contentBytes: number;
  /** For `PendingStructs`, once the update is accepted: its new items and where they resolved to. */
  entries: { client: number; entry: PendingEntry }[];
  /** Clients with new items, each with the first clock the document does not have. */
  firstNewClocks: Map<number, number>;
}

/** Nesting deeper than this is refused outright: no layout needs it, and it bounds every walk up a parent chain. */
const MAX_DEPTH = 16;

const encoder = new TextEncoder();

function kindOfType(type: unknown): SharedTypeKind {
  if (type instanceof Y.XmlText || type instanceof Y.XmlElement || type instanceof Y.XmlFragment)
    return 'xml';
  if (type instanceof Y.Text) return 'text';
  if (type instanceof Y.Map) return 'map';
  if (type instanceof Y.Array) return 'array';
  return 'other';
}

function kindOfContent(content: ItemContent): SharedTypeKind | null {
  return content instanceof Y.ContentType ? kindOfType(content.type) : null;
}

function contentBytesOf(content: ItemContent): number {
  if (content instanceof Y.ContentString) return encoder.encode(content.str).byteLength;
  if (content instanceof Y.ContentBinary) return content.content.byteLength;
  return 0;
}

const garbage: Resolved = { place: null, kind: null };

class Unresolvable extends Error {}
class MissingDependency extends Unresolvable {}

/** Where a live item sits, walking up its parents. */
function resolveLive(doc: Y.Doc, struct: Y.Item | Y.GC): Resolved {
  if (!(struct instanceof Y.Item)) return garbage;
  const via: { key: string | null; type: SharedTypeKind }[] = [];
  let parent: unknown = struct.parent;
  while (parent instanceof Y.AbstractType) {
    const owner: Y.Item | null = parent._item;
    if (owner === null) {
      return {
        place: { root: Y.findRootTypeKey(parent), via: via.reverse(), key: struct.parentSub },
        kind: kindOfContent(struct.content),
      };
    }
    if (via.length >= MAX_DEPTH) break;
    via.push({ key: owner.parentSub, type: kindOfType(parent) });
    parent = owner.parent;
  }
  return garbage;
}

type Found =
  | { at: 'live'; struct: Y.Item | Y.GC }
  | { at: 'update'; struct: Y.Item | Y.GC }
  | { at: 'pending'; entry: PendingEntry };

function findIn(structs: readonly (Y.Item | Y.GC | Y.Skip)[] | undefined, clock: number) {
  if (structs === undefined) return undefined;
  let low = 0;
  let high = structs.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const struct = structs[mid];
    if (struct === undefined) break;
    if (clock < struct.id.clock) high = mid - 1;
    else if (clock >= struct.id.clock + struct.length) low = mid + 1;
    else return struct instanceof Y.Skip ? undefined : struct;
  }
  return undefined;
}

/**
 * Inspects a decoded client update against `doc` (and the accepted updates in `pending`). With `layout` null only
 * the structure is checked; `deletes` also reports whether the update deletes anything not yet deleted (which
 * costs a lookup per deleted range, so only read-only connections ask).
 */
export function inspectClientUpdate(
  doc: Y.Doc,
  decoded: DecodedUpdate,
  pending: PendingStructs,
  layout: DocLayout | null,
): UpdateInspection {
  const inspection: UpdateInspection = {
    finding: null,
    addsItems: false,
    contentBytes: 0,
    entries: [],
    firstNewClocks: new Map(),
  };
  const byClient = new Map<number, (Y.Item | Y.GC | Y.Skip)[]>();
  for (const struct of decoded.structs) {
    let list = byClient.get(struct.id.client);
    if (list === undefined) {
      list = [];
      byClient.set(struct.id.client, list);
    }
    list.push(struct);
  }
  for (const list of byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);

  const store = doc.store;
  const find = (id: Y.ID): Found | undefined => {
    if (id.clock < Y.getState(store, id.client)) {
      const live = store.clients.get(id.client);
      if (live !== undefined) {
        const struct = live[Y.findIndexSS(live, id.clock)];
        if (struct !== undefined) return { at: 'live', struct };
      }
    }
    const inUpdate = findIn(byClient.get(id.client), id.clock);
    if (inUpdate !== undefined) return { at: 'update', struct: inUpdate };
    const entry = pending.find(id.client, id.clock);
    return entry === undefined ? undefined : { at: 'pending', entry };
  };

  const memo = new Map<Y.Item | Y.GC, Resolved>();
  /** The resolution of a found struct, or the struct of this update that has to be resolved first. */
  const resolvedOf = (found: Found): Resolved | Y.Item => {
    if (found.at === 'pending') return found.entry.resolved;
    if (found.at === 'live') return resolveLive(doc, found.struct);
    if (!(found.struct instanceof Y.Item)) return garbage;
    return memo.get(found.struct) ?? found.struct;
  };
  const describe = (id: Y.ID) => `${id.client}:${id.clock}`;

  /** One step of resolving `item`: its resolution, or a struct of this update it depends on. */
  const step = (item: Y.Item): Resolved | Y.Item => {
    const left = item.origin === null ? null : find(item.origin);
    const right = item.rightOrigin === null ? null : find(item.rightOrigin);
    if (left === undefined || right === undefined) {
      throw new MissingDependency(`update builds on unknown content ${describe(item.id)}`);
    }
    const l = left === null ? null : resolvedOf(left);
    const r = right === null ? null : resolvedOf(right);
    if (l instanceof Y.Item) return l;
    if (r instanceof Y.Item) return r;
    // Next to garbage-collected content, Yjs drops the item as well.
    if ((left !== null && l?.place === null) || (right !== null && r?.place === null)) return garbage;
    const kind = kindOfContent(item.content);
    const parent: unknown = item.parent;
    if (typeof parent === 'string') return { place: { root: parent, via: [], key: item.parentSub }, kind };
    if (parent instanceof Y.ID) {
      const found = find(parent);
      if (found === undefined)
        throw new MissingDependency(`update builds on unknown content ${describe(parent)}`);
      const container = resolvedOf(found);
      if (container instanceof Y.Item) return container;
      if (container.place === null || container.kind === null) return garbage;
      if (container.place.via.length >= MAX_DEPTH)
        throw new Unresolvable('update nests shared types too deeply');
      const via = [...container.place.via, { key: container.place.key, type: container.kind }];
      return { place: { root: container.place.root, via, key: item.parentSub }, kind };
    }
    const sibling = l ?? r;
    if (sibling === null || sibling.place === null) return garbage;
    return { place: sibling.place, kind };
  };

  const resolve = (item: Y.Item): Resolved => {
    const stack: Y.Item[] = [item];
    const onStack = new Set<Y.Item>(stack);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      if (memo.has(top)) {
        onStack.delete(top);
        stack.pop();
        continue;
      }
      const next = step(top);
      if (next instanceof Y.Item) {
        // Origins always point at earlier clocks of their own client; a cycle across clients cannot integrate.
        if (onStack.has(next)) throw new Unresolvable('update has circular dependencies');
        onStack.add(next);
        stack.push(next);
      } else {
        memo.set(top, next);
        onStack.delete(top);
        stack.pop();
      }
    }
    return memo.get(item) ?? garbage;
  };

  try {
    for (const [client, list] of byClient) {
      const known = Y.getState(store, client);
      for (const struct of list) {
        if (struct instanceof Y.Skip || struct.id.clock + struct.length <= known) continue;
        inspection.addsItems = true;
        const first = inspection.firstNewClocks.get(client);
        if (first === undefined || struct.id.clock < first) {
          inspection.firstNewClocks.set(client, Math.max(known, struct.id.clock));
        }
        const resolved = struct instanceof Y.Item ? resolve(struct) : garbage;
        inspection.entries.push({
          client,
          entry: { clock: struct.id.clock, end: struct.id.clock + struct.length, resolved },
        });
        if (!(struct instanceof Y.Item) || resolved.place === null) continue;
        inspection.contentBytes += contentBytesOf(struct.content);
        const reason = layout?.refuse(resolved.place, struct.content) ?? null;
        if (reason !== null) {
          inspection.finding = { kind: 'invalid', reason };
          return inspection;
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Unresolvable)) throw error;
    inspection.finding = {
      kind: error instanceof MissingDependency ? 'missing' : 'unresolvable',
      reason: error.message,
    };
  }
  return inspection;
}

/** Whether an update deletes anything the document has not deleted yet. */
export function deletesSomethingNew(doc: Y.Doc, decoded: DecodedUpdate): boolean {
  const store = doc.store;
  for (const [client, ranges] of decoded.ds.clients) {
    const structs = store.clients.get(client);
    const known = Y.getState(store, client);
    for (const range of ranges) {
      const end = range.clock + range.len;
      if (end > known || structs === undefined) return true;
      for (let at = Y.findIndexSS(structs, range.clock); at < structs.length; at++) {
        const struct = structs[at];
        if (struct === undefined || struct.id.clock >= end) break;
        if (!struct.deleted) return true;
      }
    }
  }
  return false;
}
