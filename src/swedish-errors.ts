import type { z } from 'zod';

/**
 * zod's messages in plain Swedish for the API's `errors[].message`, passed per parse
 * (http/validate.ts, the CSV import) so that start-up errors for operators stay in English.
 * A schema's own message still wins. Each message continues the field name: `title saknas`.
 */
export const swedishError: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'saknas';
      return `ska vara ${TYPES[issue.expected] ?? 'ett annat slags värde'}`;
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return FORMATS[issue.format] ?? 'har fel form';
    case 'invalid_value':
      return issue.values.length === 1
        ? `ska vara ${String(issue.values[0])}`
        : `ska vara ett av ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `${issue.keys.length > 1 ? 'okända fält' : 'okänt fält'}: ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return `ska vara en multipel av ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'har fel form';
    case 'invalid_key':
      return 'har en ogiltig nyckel';
    case 'invalid_element':
      return 'har ett ogiltigt värde';
    default:
      return 'är inte giltigt';
  }
};

/** An unknown field, named by its own path (errors.ts). */
export const swedishUnknownField = (key: string) => `okänt fält "${key}"`;

const TYPES: Record<string, string> = {
  string: 'text',
  number: 'ett tal',
  int: 'ett heltal',
  boolean: 'true eller false',
  array: 'en lista',
  object: 'ett objekt',
  date: 'en tidpunkt',
  bigint: 'ett heltal',
};

const FORMATS: Record<string, string> = {
  datetime: 'ska vara en tidpunkt enligt ISO 8601 med tidszon, till exempel 2027-03-30T09:00:00+02:00',
  date: 'ska vara ett datum, till exempel 2027-03-30',
  time: 'ska vara ett klockslag, till exempel 09:00',
  email: 'ska vara en e-postadress',
  uuid: 'ska vara ett id (UUID)',
  guid: 'ska vara ett id (UUID)',
  url: 'ska vara en webbadress',
  regex: 'har fel form',
};

function tooSmall(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall>): string {
  const minimum = Number(issue.minimum);
  if (issue.origin === 'string') return minimum <= 1 ? 'får inte vara tomt' : `ska vara minst ${minimum} tecken`;
  if (issue.origin === 'array' || issue.origin === 'set') return minimum <= 1 ? 'får inte vara tom' : `ska ha minst ${minimum} värden`;
  return issue.inclusive ? `ska vara minst ${minimum}` : `ska vara större än ${minimum}`;
}

function tooBig(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig>): string {
  const maximum = Number(issue.maximum);
  if (issue.origin === 'string') return `får vara högst ${maximum} tecken`;
  if (issue.origin === 'array' || issue.origin === 'set') return `får ha högst ${maximum} värden`;
  return issue.inclusive ? `får vara högst ${maximum}` : `ska vara mindre än ${maximum}`;
}
