import type { Fields } from './rules/match.rules.ts';

/** What a document declared: its head and lines as accepted, under the message that carried them. */
export interface DeclaredContent {
  messageId: string;
  head: Fields;
  lines: Fields[];
}

export type DeclaredContentCache = ReturnType<typeof createDeclaredContentCache>;

/**
 * The heads and lines intake has just accepted, kept in the process for the pipeline that matches,
 * decides and releases them seconds later (docs/performance.md: reading them back as jsonb text and
 * parsing it again was half of the match query). A document's content changes only when a
 * modification (appType 2) replaces it, and that always comes in a new message, so an entry counts
 * only while its `messageId` is still the document's: a replacement made by another process, or a
 * document this process never saw, is a miss and is read from the database. Bounded by count, the
 * oldest first out; capacity 0 turns it off.
 */
export function createDeclaredContentCache(capacity: number) {
  const entries = new Map<string, DeclaredContent>();
  return {
    remember(docs: readonly { id: string; message_id: string; head: Fields; lines: Fields[] }[]): void {
      if (capacity === 0) return;
      for (const d of docs) {
        entries.delete(d.id);
        entries.set(d.id, { messageId: d.message_id, head: d.head, lines: d.lines });
      }
      if (entries.size <= capacity) return;
      let excess = entries.size - capacity;
      for (const id of entries.keys()) {
        if (excess-- <= 0) break;
        entries.delete(id);
      }
    },
    /** The content if it is still the one `messageId` declared. */
    recall(id: string, messageId: string): DeclaredContent | undefined {
      const e = entries.get(id);
      return e && e.messageId === messageId ? e : undefined;
    },
    /** Documents that will not be matched or released again (matched counterparts, closed or rejected inventories). */
    forget(ids: Iterable<string>): void {
      for (const id of ids) entries.delete(id);
    },
    get size(): number {
      return entries.size;
    },
  };
}
