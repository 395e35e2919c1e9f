-- A large compaction snapshot in one statement grew the embedded database's WebAssembly memory (which never shrinks)
-- from 128 to 445 MB for a 103 MB snapshot. Snapshots over a part's size are now stored as parts, each its own
-- statement: doc_snapshots keeps the first part and names the generation whose parts follow. Uncompressed, like the
-- other document bytes (0003).
CREATE TABLE "doc_snapshot_parts" (
	"workspace_id" uuid NOT NULL,
	"generation" uuid NOT NULL,
	"through_seq" bigint NOT NULL,
	"part" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "doc_snapshot_parts_workspace_id_generation_part_pk" PRIMARY KEY("workspace_id","generation","part")
);
--> statement-breakpoint
ALTER TABLE "doc_snapshots" ADD COLUMN "generation" uuid;--> statement-breakpoint
ALTER TABLE "doc_snapshot_parts" ADD CONSTRAINT "doc_snapshot_parts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_snapshot_parts" ALTER COLUMN "data" SET STORAGE EXTERNAL;
