import { runService } from '../src/run-service.js';

/** `npm run workers`: only the workers; run as many as needed against one Redis and one database. */
await runService({ api: false, workers: true });
