-- Owners turn risky features (auto-apply, sandbox checks, git push) off per workspace; '{}' leaves all on.
ALTER TABLE "workspaces" ADD COLUMN "features" jsonb DEFAULT '{}'::jsonb NOT NULL;