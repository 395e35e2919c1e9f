-- Yjs updates and snapshots are dense binary: PostgreSQL's pglz compression rarely shrinks them, yet trying costs
-- most of a large write (a 10 MB snapshot took three times as long on PGlite). Stored out of line, uncompressed.
ALTER TABLE "doc_snapshots" ALTER COLUMN "data" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "doc_updates" ALTER COLUMN "data" SET STORAGE EXTERNAL;
