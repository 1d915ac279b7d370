import type { z } from 'zod';

/** One problem with one field, as the API reports it in `errors[]`. */
export interface FieldError {
  path: string;
  code: string;
  message: string;
  /**
   * The message without what the error also carries as data (too short notice: the earliest
   * start, also given as `earliestCompliantStart`), for a page that shows that data in its own
   * words. Never sent by the API, whose `message` says it all.
   */
  brief?: string | undefined;
}

/**
 * The one error type the HTTP layer turns into RFC 9457 problem+json.
 * `code` is stable and machine-readable; `status` is the HTTP status.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { cause?: unknown; errors?: FieldError[]; extra?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.errors = options.errors;
    this.extra = options.extra;
  }
}

/** 400: the request itself is malformed (wrong types, missing fields). */
export class ValidationError extends AppError {
  constructor(errors: FieldError[], message = 'Begäran är inte giltig.') {
    super('validation_failed', 400, message, { errors });
    this.name = 'ValidationError';
  }
}

/** 422: the request is well-formed but breaks a rule of the routine. */
export class RuleViolationError extends AppError {
  constructor(errors: FieldError[], extra?: Record<string, unknown>) {
    super('rule_violation', 422, errors.map((e) => e.message).join(' '), { errors, extra });
    this.name = 'RuleViolationError';
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', 404, `${what} finns inte.`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', 409, message);
    this.name = 'ConflictError';
  }
}

/**
 * A delivery that can never succeed as it stands (no webhook secret to sign with): it ends as
 * failed at once instead of being retried. See delivery/failure-kinds.ts.
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

export function zodIssuesToFieldErrors(
  error: z.ZodError,
  prefix: string[] = [],
  /** How an unknown field is named: English for operators' start-up lines, Swedish in the API. */
  words: { unknownField: (key: string) => string } = { unknownField: (key) => `unknown field "${key}"` },
): FieldError[] {
  const at = (path: readonly PropertyKey[]) => [...prefix, ...path.map(String)].join('.') || '(root)';
  return error.issues.flatMap((issue): FieldError[] => {
    // An unknown field is named by its own path, not its parent's.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: at([...issue.path, key]), code: issue.code, message: words.unknownField(key) }));
    }
    // A bad record key carries its real reason one level down.
    const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
    // A refinement names its own code in params (see rules/text-rules.ts), rather than the bare "custom".
    const code = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : issue.code;
    return [{ path: at(issue.path), code, message }];
  });
}

/** One line naming the bad field, for start-up errors. */
export function describeZodError(error: z.ZodError): string {
  return zodIssuesToFieldErrors(error)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
}
