import express, { Router } from 'express';
import {
  changeRecipient,
  createRecipient,
  findRecipients,
  importRecipients,
  recipientDetail,
  removeRecipient,
  type RecipientDeps,
} from '../../application/recipient-commands.js';
import { AppError } from '../../errors.js';
import {
  createRecipientBody,
  importRecipientsQuery,
  listRecipientsQuery,
  patchRecipientBody,
  recipientIdParams,
} from '../../recipients/recipient-schemas.js';
import { principalOf } from '../auth.js';
import { parseIdempotencyKey, parseInput } from '../validate.js';

/** A recipient list exported from a spreadsheet; a few thousand rows fit well within this. */
const CSV_LIMIT = '2mb';

/** Recipients of manager e-mail and provider bulletins; mount under /api after the token check. */
export function recipientRoutes(deps: RecipientDeps): Router {
  const router = Router();

  router.post('/recipients', async (req, res) => {
    const body = parseInput(createRecipientBody, req.body, 'body');
    const recipient = await createRecipient(deps, body, principalOf(req).actor);
    res.status(201).location(`/api/recipients/${recipient.id}`).json(recipient);
  });

  router.get('/recipients', async (req, res) => {
    const query = parseInput(listRecipientsQuery, req.query, 'query');
    const found = await findRecipients(deps, query);
    res.json({ items: found.items, total: found.total, ...(query.page !== undefined ? { page: found.page, pages: found.pages } : {}) });
  });

  router.get('/recipients/:id', async (req, res) => {
    const { id } = parseInput(recipientIdParams, req.params, 'params');
    res.json(await recipientDetail(deps, id));
  });

  router.patch('/recipients/:id', async (req, res) => {
    const { id } = parseInput(recipientIdParams, req.params, 'params');
    // Checked like the other writes; a PATCH sets values, so the same request again is the same answer without a record of keys.
    parseIdempotencyKey(req.get('idempotency-key'));
    const body = parseInput(patchRecipientBody, req.body, 'body');
    res.json(await changeRecipient(deps, id, body, principalOf(req).actor));
  });

  router.delete('/recipients/:id', async (req, res) => {
    const { id } = parseInput(recipientIdParams, req.params, 'params');
    await removeRecipient(deps, id, principalOf(req).actor);
    res.status(204).end();
  });

  router.post('/recipients/import', express.text({ type: 'text/csv', limit: CSV_LIMIT }), async (req, res) => {
    const { dryRun } = parseInput(importRecipientsQuery, req.query, 'query');
    if (!req.is('text/csv')) {
      throw new AppError('unsupported_media_type', 415, 'Skicka listan som CSV: Content-Type: text/csv.');
    }
    const csv = typeof req.body === 'string' ? req.body : '';
    // A file saved as Windows-1252 but read as UTF-8 turns å, ä and ö into U+FFFD: refuse it
    // rather than store mangled names.
    if (csv.includes('\uFFFD')) {
      throw new AppError('invalid_encoding', 400, 'CSV-filen är inte UTF-8; spara den som "CSV UTF-8" och försök igen.', {
        errors: [{ path: 'body', code: 'invalid_encoding', message: 'är inte UTF-8' }],
      });
    }
    res.json(await importRecipients(deps, csv, { dryRun }, principalOf(req).actor));
  });

  return router;
}
