import { runService } from './run-service.js';

/** `npm start`: the API and the workers in one process. */
await runService({ api: true, workers: true });
