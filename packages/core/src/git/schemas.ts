// Inputs of the `git` router.
import { z } from 'zod';
import { workspaceRef } from '../workspace/schemas.ts';
import { workspacePathSchema } from '../files/schemas.ts';

// git check-ref-format, roughly: no spaces or control characters, no `..`, `//` or `@{`, no leading `-` or `/`.
function isBranchName(name: string): boolean {
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return false;
  }
  return (
    !/[~^:?*[\\]/.test(name) &&
    !name.startsWith('-') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.') &&
    !name.endsWith('.lock') &&
    !name.includes('..') &&
    !name.includes('//') &&
    !name.includes('@{')
  );
}

export const branchNameSchema = z.string().min(1).max(200).refine(isBranchName, 'not a valid branch name');

const commitIdSchema = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-character commit id');

export const gitCredentialInput = workspaceRef.extend({
  /** The user name sent with the token; hosts that ignore it accept anything (GitHub: `x-access-token`). */
  username: z.string().min(1).max(200).default('x-access-token'),
  token: z.string().min(1).max(4096),
});

/** One stored credential (token or deploy key) of a workspace. */
export const gitCredentialRef = workspaceRef.extend({ credentialId: z.uuid() });

export const gitConnectInput = workspaceRef.extend({
  url: z.string().min(1).max(2048),
  branch: branchNameSchema.optional(),
  credentialId: z.uuid().optional(),
});

export const gitCommitInput = workspaceRef.extend({
  message: z.string().trim().min(1).max(10_000),
  paths: z.array(workspacePathSchema).min(1).max(10_000).optional(),
});

export const gitPushInput = workspaceRef.extend({ branch: branchNameSchema.optional() });

export const gitLogInput = workspaceRef.extend({ limit: z.number().int().min(1).max(200).default(50) });

export const gitShowInput = workspaceRef.extend({ commit: commitIdSchema });

export const gitAutoCommitInput = workspaceRef.extend({ autoCommit: z.boolean() });

/** A SHA256 key fingerprint as OpenSSH prints it: `SHA256:` and 43 characters of unpadded base64. */
export const sshFingerprintSchema = z
  .string()
  .trim()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh prints it (SHA256:…)');

/** The owner's confirmation of the host key an SSH remote presents now. */
export const gitTrustHostKeyInput = workspaceRef.extend({ fingerprint: sshFingerprintSchema });

export type GitConnectInput = z.infer<typeof gitConnectInput>;
export type GitCommitInput = z.infer<typeof gitCommitInput>;
