import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';

/** Problem titles in Swedish, like every human text of the API; `status` carries the number. */
const TITLES: Record<number, string> = {
  400: 'Felaktig begäran',
  401: 'Inte inloggad',
  403: 'Åtkomst nekad',
  404: 'Finns inte',
  409: 'Konflikt',
  413: 'För stor begäran',
  415: 'Formatet stöds inte',
  422: 'Bryter mot rutinen',
  429: 'För många försök',
  500: 'Internt fel',
  503: 'Tjänsten är inte tillgänglig',
};

/**
 * The last handler of a router: nothing here answers this path. The API names the method and
 * path; a page gives its own words. Only thrown, so every 404 goes through one error handler.
 */
export function notFound(message: (req: Request) => string = (req) => `Ingen resurs på ${req.method} ${req.path}.`): RequestHandler {
  return (req) => {
    throw new AppError('not_found', 404, message(req));
  };
}

/** The API's 404 for a path nothing answers. */
export const notFoundHandler: RequestHandler = notFound();

/**
 * Turns every error into RFC 9457 problem+json. Errors we did not raise ourselves are
 * logged with their stack and answered with a bare 500: a stack never leaves the process.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    if (appError.status >= 500) (req.log ?? logger).error({ err: error, path: req.path, method: req.method }, 'request failed');
    if (res.headersSent) return;
    res
      .status(appError.status)
      .type('application/problem+json')
      .json({
        type: `https://driftstopp.orebro.se/problems/${appError.code.replaceAll('_', '-')}`,
        title: TITLES[appError.status] ?? 'Fel',
        status: appError.status,
        detail: appError.message,
        instance: req.originalUrl,
        // Field by field, so a page's `brief` stays in the process.
        ...(appError.errors ? { errors: appError.errors.map(({ path, code, message }) => ({ path, code, message })) } : {}),
        ...appError.extra,
      });
  };
}

/**
 * Every error as an `AppError` with its status: ours as they are, body-parser's and Express's
 * client errors (`status`/`type`) as 4xx, anything else as a 500. The API's problem+json and
 * the admin's error pages both answer with this status.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { status?: number; type?: string; message?: string };
  if (e?.type === 'entity.parse.failed') {
    return new AppError('malformed_json', 400, 'Begärans innehåll är inte giltig JSON.', {
      errors: [{ path: 'body', code: 'invalid_json', message: 'är inte giltig JSON' }],
    });
  }
  if (e?.type === 'entity.too.large') return new AppError('too_large', 413, 'Begärans innehåll är för stort.');
  if (error instanceof URIError || e?.message?.startsWith('Failed to decode param')) {
    return new AppError('invalid_path', 400, 'Adressen har en ogiltig procentkodning.', {
      errors: [{ path: 'params', code: 'invalid_encoding', message: 'har en ogiltig procentkodning' }],
    });
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    // Other body-parser refusals: a false Content-Encoding, an unknown charset, a bad media type.
    const code = e.status === 415 ? 'unsupported_media_type' : 'invalid_body';
    // body-parser's own message is English and may quote the request: the code says which refusal it was.
    const detail = e.status === 415 ? 'Begärans innehåll har ett format eller en teckenkodning som inte stöds.' : 'Begärans innehåll kan inte läsas.';
    return new AppError(code, e.status, detail, {
      errors: [{ path: 'body', code: e.type?.replace(/\./g, '_') ?? code, message: e.status === 415 ? 'har ett format som inte stöds' : 'kan inte läsas' }],
    });
  }
  return new AppError('internal', 500, 'Ett oväntat fel inträffade. Händelsen är loggad.', { cause: error });
}
