import {
  gitAutoCommitInput,
  gitCommitInput,
  gitConnectInput,
  gitCredentialInput,
  gitCredentialRef,
  gitLogInput,
  gitPushInput,
  gitShowInput,
  gitTrustHostKeyInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import * as git from '../../services/git.ts';
import type { Actor } from '../../services/workspaces.ts';
import { exampleIds } from '../examples.ts';
import { liveSubscription, memberProcedure, type Context } from '../trpc.ts';

const actor = (ctx: Context & { user: { id: string } }): Actor => ({
  userId: ctx.user.id,
  ip: ctx.ip,
  requestId: ctx.requestId,
});

export const gitRouter = {
  /** Stores an HTTPS token for this workspace's remote; only its id ever comes back. */
  credential: {
    create: memberProcedure('owner')
      .meta({
        description:
          "Stores an HTTPS token for the workspace's git remote, encrypted with the instance secret. Returns only its id, to pass to `git.connect`; the token is never sent back or logged.",
        example: {
          input: {
            workspaceId: exampleIds.workspaceId,
            username: 'x-access-token',
            token: 'ghp_exampletoken',
          },
        },
      })
      .input(gitCredentialInput)
      .mutation(({ ctx, input }) =>
        git.createCredential(ctx.deps, actor(ctx), input.workspaceId, {
          username: input.username,
          token: input.token,
        }),
      ),
    list: memberProcedure('owner')
      .meta({
        description:
          "The workspace's stored git credentials: ids, user names and when they were made, never tokens.",
        example: { input: { workspaceId: exampleIds.workspaceId } },
      })
      .query(({ ctx, input }) => git.listCredentials(ctx.deps, input.workspaceId)),
    delete: memberProcedure('owner')
      .meta({
        description:
          'Deletes a stored token or deploy key. A remote that used it has no credential afterwards; remove a deploy key from the git host too.',
        example: { input: { workspaceId: exampleIds.workspaceId, credentialId: exampleIds.inviteId } },
        errors: ['NOT_FOUND'],
      })
      .input(gitCredentialRef)
      .mutation(({ ctx, input }) =>
        git.deleteCredential(ctx.deps, actor(ctx), input.workspaceId, input.credentialId),
      ),
  },
  /** SSH deploy keys Tandem generates; only the public key ever comes back. */
  deployKey: {
    create: memberProcedure('owner')
      .meta({
        description:
          "Generates an ed25519 SSH deploy key for the workspace and stores its private key encrypted with the instance secret. Returns the credential id (for `git.connect` with an ssh URL), the public key line to add to the repository's deploy keys (with write access to push) and its SHA256 fingerprint; the private key is never sent or logged. A connected SSH remote whose key was deleted takes the new one (`attached: true`).",
        example: { input: { workspaceId: exampleIds.workspaceId } },
      })
      .mutation(({ ctx, input }) => git.createDeployKey(ctx.deps, actor(ctx), input.workspaceId)),
    rotate: memberProcedure('owner')
      .meta({
        description:
          'Replaces a deploy key with a newly generated one under the same id, so the connected remote keeps using it. The old key stops working here at once; add the new public key on the git host and remove the old one there.',
        example: { input: { workspaceId: exampleIds.workspaceId, credentialId: exampleIds.inviteId } },
        errors: ['NOT_FOUND'],
      })
      .input(gitCredentialRef)
      .mutation(({ ctx, input }) =>
        git.rotateDeployKey(ctx.deps, actor(ctx), input.workspaceId, input.credentialId),
      ),
  },
  connect: memberProcedure('owner')
    .meta({
      description:
        'Clones a remote repository into an empty workspace and tracks its branch (default: the remote HEAD). HTTPS with a token credential, or SSH (`ssh://user@host[:port]/path` or `user@host:path`) with a deploy key from `git.deployKey.create`: the SSH host key seen on this first connection is recorded (its fingerprint comes back in `hostKeys`) and a different key is refused later with GIT_HOST_KEY_CHANGED (an owner accepts a new key with `git.trustHostKey`). Refuses local, private and loopback addresses unless `TANDEM_GIT_ALLOWED_HOSTS` allows them; unsafe tree entries are skipped and reported.',
      example: {
        input: {
          workspaceId: exampleIds.workspaceId,
          url: 'git@git.example.com:team/payments.git',
          branch: 'main',
          credentialId: exampleIds.inviteId,
        },
      },
      errors: [
        'GIT_URL_REFUSED',
        'GIT_UNREACHABLE',
        'GIT_AUTH',
        'GIT_HOST_KEY_CHANGED',
        'GIT_REPO_TOO_LARGE',
        'GIT_WORKSPACE_NOT_EMPTY',
        'GIT_ALREADY_CONNECTED',
        'GIT_REMOTE_ERROR',
        'FILE_TOO_LARGE',
      ],
    })
    .input(gitConnectInput)
    .mutation(({ ctx, input }) => git.connect(ctx.deps, actor(ctx), input)),
  trustHostKey: memberProcedure('owner')
    .meta({
      description:
        "Accepts the host key an SSH remote's host presents now, after a pull or push failed with GIT_HOST_KEY_CHANGED (whose `details.presented` names it). The key is read again over the same checked connection and recorded only if its SHA256 fingerprint is `fingerprint`, the one the owner checked with the host's owners; otherwise GIT_HOST_KEY_MISMATCH, naming what the host presents. Audited as `git.host_key_trust`. Returns the recorded keys before and after.",
      example: {
        input: {
          workspaceId: exampleIds.workspaceId,
          fingerprint: 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU',
        },
      },
      errors: [
        'GIT_NOT_CONNECTED',
        'GIT_HOST_KEY_MISMATCH',
        'GIT_UNREACHABLE',
        'GIT_URL_REFUSED',
        'BAD_INPUT',
      ],
    })
    .input(gitTrustHostKeyInput)
    .mutation(({ ctx, input }) => git.trustHostKey(ctx.deps, actor(ctx), input)),
  remote: memberProcedure('reviewer')
    .meta({
      description:
        "The workspace's git remote: URL, tracked branch and base commit, or null when it has none.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
    })
    .query(({ ctx, input }) => git.getRemote(ctx.deps, input.workspaceId)),
  status: memberProcedure('reviewer')
    .meta({
      description:
        'Files of the live workspace changed against the base commit (added, modified, deleted, renamed), each with a unified diff.',
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: ['GIT_NOT_CONNECTED'],
    })
    .query(({ ctx, input }) => git.status(ctx.deps, input.workspaceId)),
  commit: memberProcedure('editor')
    .meta({
      description:
        'Commits the live files (or only `paths`) on the tracked branch, authored by the caller, with a `Co-authored-by:` trailer for every other person and accepted AI task whose text is in the change. Returns the commit id.',
      example: { input: { workspaceId: exampleIds.workspaceId, message: 'Retry failed payments once' } },
      errors: ['GIT_NOT_CONNECTED', 'GIT_NOTHING_TO_COMMIT', 'CONFLICT'],
    })
    .input(gitCommitInput)
    .mutation(({ ctx, input }) => git.commit(ctx.deps, actor(ctx), input)),
  push: memberProcedure('editor')
    .meta({
      description:
        'Pushes the local commits to the tracked branch (or a new `branch`). A remote that moved on is refused with GIT_NON_FAST_FORWARD; a push turned off by the `gitPush` feature flag with FEATURE_DISABLED.',
      example: { input: { workspaceId: exampleIds.workspaceId, branch: 'main' } },
      errors: [
        'FEATURE_DISABLED',
        'GIT_NOT_CONNECTED',
        'GIT_NON_FAST_FORWARD',
        'GIT_AUTH',
        'GIT_UNREACHABLE',
        'GIT_REMOTE_ERROR',
        'GIT_HOST_KEY_CHANGED',
      ],
    })
    .input(gitPushInput)
    .mutation(({ ctx, input }) => git.push(ctx.deps, actor(ctx), input)),
  pull: memberProcedure('editor')
    .meta({
      description:
        "Fetches the tracked branch and merges the remote's new commits into the live files as a task of kind `git-pull`: lines only the remote changed land at once, where the text has moved to; lines both sides changed wait in that task's review (accept takes the remote's text, reject keeps the workspace's). Commits made here that the remote never got are folded back into the changes to commit.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: [
        'GIT_NOT_CONNECTED',
        'GIT_AUTH',
        'GIT_UNREACHABLE',
        'GIT_REMOTE_ERROR',
        'GIT_HOST_KEY_CHANGED',
        'CONFLICT',
      ],
    })
    .mutation(({ ctx, input }) => git.pull(ctx.deps, actor(ctx), input)),
  setAutoCommit: memberProcedure('owner')
    .meta({
      description:
        "Workspace policy: commit each accepted AI task on its own, its prompt as the message (first line cut to 72 characters), authored by whoever accepted, with the usual `Co-authored-by:` trailers. Only the files the accepted hunks touched are committed; nothing is pushed. A commit that fails is reported in the task's timeline and the audit log; the acceptance stands. Read it back as `autoCommit` from `workspace.get`.",
      example: { input: { workspaceId: exampleIds.workspaceId, autoCommit: true } },
    })
    .input(gitAutoCommitInput)
    .mutation(({ ctx, input }) =>
      git.setAutoCommit(ctx.deps, actor(ctx), input.workspaceId, input.autoCommit),
    ),
  onChange: memberProcedure('reviewer')
    .meta({
      description:
        "Subscription: a notice whenever the workspace's git state changes (connected, a commit, a push, a pull, the auto-commit option), on any server instance; refetch `git.status` and `git.log` on each.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: ['TOO_MANY_SUBSCRIPTIONS'],
    })
    .subscription(({ ctx, input, signal }) =>
      liveSubscription(ctx, input.workspaceId, signal, (stop) =>
        ctx.deps.channels.gitChanges.follow(input.workspaceId, stop),
      ),
    ),
  log: memberProcedure('reviewer')
    .meta({
      description: 'The newest commits of the tracked branch, newest first, up to `limit`.',
      example: { input: { workspaceId: exampleIds.workspaceId, limit: 20 } },
      errors: ['GIT_NOT_CONNECTED'],
    })
    .input(gitLogInput)
    .query(({ ctx, input }) => git.log(ctx.deps, input.workspaceId, input.limit)),
  show: memberProcedure('reviewer')
    .meta({
      description: 'One commit with its message, author, trailers and per-file diffs.',
      example: {
        input: { workspaceId: exampleIds.workspaceId, commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' },
      },
      errors: ['GIT_NOT_CONNECTED', 'NOT_FOUND'],
    })
    .input(gitShowInput)
    .query(({ ctx, input }) => git.show(ctx.deps, input.workspaceId, input.commit)),
} satisfies TRPCRouterRecord;
