import { runService } from './run-service.js';

/** `npm run api`: only the HTTP API (run workers elsewhere with `npm run workers`). */
await runService({ api: true, workers: false });
