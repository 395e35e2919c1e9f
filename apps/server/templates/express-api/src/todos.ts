import { Router, type Request, type Response } from 'express';

export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

/** An in-memory todo list behind a JSON API; swap the array for your database. */
export function todosRouter(): Router {
  const todos: Todo[] = [];
  let nextId = 1;
  const router = Router();

  router.get('/', (_req: Request, res: Response) => {
    res.json(todos);
  });

  router.post('/', (req: Request, res: Response) => {
    const title: unknown = (req.body as { title?: unknown } | undefined)?.title;
    if (typeof title !== 'string' || title.trim() === '') {
      res.status(400).json({ error: 'title must be a non-empty string' });
      return;
    }
    const todo: Todo = { id: nextId++, title: title.trim(), done: false };
    todos.push(todo);
    res.status(201).json(todo);
  });

  router.patch('/:id', (req: Request, res: Response) => {
    const todo = todos.find((t) => t.id === Number(req.params.id));
    if (!todo) {
      res.status(404).json({ error: 'no such todo' });
      return;
    }
    const done: unknown = (req.body as { done?: unknown } | undefined)?.done;
    if (typeof done !== 'boolean') {
      res.status(400).json({ error: 'done must be true or false' });
      return;
    }
    todo.done = done;
    res.json(todo);
  });

  return router;
}
