import { DateTime } from 'luxon';
import type { z } from 'zod';
import { AppError, ValidationError, zodIssuesToFieldErrors } from '../errors.js';
import { swedishError, swedishUnknownField } from '../swedish-errors.js';

const PLACES = { body: 'Begärans innehåll', query: 'Frågan i adressen', params: 'Adressen' } as const;

/** Parses one part of a request (body, query, params); a failure is a 400 naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(value ?? (location === 'body' ? undefined : {}), { error: swedishError });
  if (!result.success) {
    const errors = zodIssuesToFieldErrors(result.error, [], { unknownField: swedishUnknownField });
    throw new ValidationError(errors, `${PLACES[location]} har fel: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`);
  }
  return result.data;
}

/** An instant from the API (already validated as ISO 8601), or a date meaning local midnight. */
export function parseInstant(value: string, zone: string): DateTime {
  return /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? DateTime.fromISO(value, { zone })
    : DateTime.fromISO(value, { setZone: true }).setZone(zone);
}

/** The `Idempotency-Key` header, when given: 1–200 visible ASCII characters, else a 400 naming it. */
export function parseIdempotencyKey(key: string | undefined): string | undefined {
  if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new AppError('validation_failed', 400, 'Idempotency-Key ska vara 1–200 synliga ASCII-tecken.', {
      errors: [{ path: 'header.Idempotency-Key', code: 'invalid_format', message: 'ska vara 1–200 synliga ASCII-tecken' }],
    });
  }
  return key;
}
