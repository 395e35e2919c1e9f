// Placeholder ids for the API reference's examples (procedure `.meta({ example })`): valid UUIDs that name nothing.
export const exampleIds = {
  workspaceId: '3f6c1a2e-5b7d-4c8e-9f10-2a3b4c5d6e7f',
  taskId: '8d2e4f60-1a3b-4c5d-8e7f-9a0b1c2d3e4f',
  inviteId: '5a7b9c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d',
  userId: '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
  runId: '6e8f0a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
  commentId: '2c4e6a8b-9d1f-4a3b-8c5d-6e7f8a9b0c1d',
} as const;
