import express, { type Express } from 'express';
import { todosRouter } from './todos.js';

export function createApp(): Express {
  const app = express();
  app.use(express.json({ limit: '100kb' }));
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/todos', todosRouter());
  return app;
}
