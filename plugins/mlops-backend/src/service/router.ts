import { LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';

/** Routes of the `mlops` plugin; the prober and fleet routes are added by a later release. */
export async function createRouter(options: {
  logger: LoggerService;
}): Promise<express.Router> {
  const router = Router();
  router.use(express.json());
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  options.logger.debug('mlops router ready');
  return router;
}
