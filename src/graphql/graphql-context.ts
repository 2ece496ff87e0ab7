import type { Request, Response } from 'express';

/** What every resolver receives as its GraphQL context; per-request state (DataLoaders) hangs off it. */
export interface GraphqlContext {
  req: Request;
  res: Response;
  requestId: string;
}
