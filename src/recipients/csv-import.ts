import { CsvError, parse, type InfoRecord } from 'csv-parse/sync';
import { ValidationError, zodIssuesToFieldErrors, type FieldError } from '../errors.js';
import { swedishError, swedishUnknownField } from '../swedish-errors.js';
import type { Policy } from '../policy/policy-schema.js';
import { LINE, textProblems } from '../rules/text-rules.js';
import { createRecipientBody, type NewRecipientInput } from './recipient-schemas.js';

/** A recipient read from the file, with the 1-based line its row starts on. */
export interface CsvRecipient {
  row: number;
  recipient: NewRecipientInput;
}

export interface RefusedRow {
  row: number;
  email?: string;
  errors: FieldError[];
}

export interface ParsedRecipientCsv {
  accepted: CsvRecipient[];
  refused: RefusedRow[];
}

const REQUIRED_COLUMNS = ['name', 'email', 'kind', 'systems'] as const;
const COLUMNS = [...REQUIRED_COLUMNS, 'unit'] as const;
type Column = (typeof COLUMNS)[number];

/** Kinds as people write them in a spreadsheet, Swedish included. */
const KIND_WORDS = new Map([
  ['manager', 'manager'],
  ['chef', 'manager'],
  ['provider', 'provider'],
  ['utförare', 'provider'],
  ['utforare', 'provider'],
]);

/**
 * Reads a recipient list. Each row is refused on its own (too few fields, a bad e-mail, an
 * unknown system, a repeat of an earlier row); only a file whose header lacks a required
 * column, or whose quoting is broken, is refused as a whole with a ValidationError (400).
 */
export function parseRecipientCsv(text: string, systems: Policy['systems']): ParsedRecipientCsv {
  const records = readRecords(text);
  refuseControlCharacters(records);
  const header = records.shift();
  const index = columnIndex(header?.fields ?? []);
  const width = header?.fields.length ?? 0;
  const systemIds = systemResolver(systems);

  const accepted: CsvRecipient[] = [];
  const refused: RefusedRow[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, fields } of records) {
    const field = (column: Column) => (index[column] === undefined ? undefined : fields[index[column]]);
    const email = field('email')?.toLowerCase() || undefined;
    const refuse = (errors: FieldError[]) => refused.push({ row, ...(email ? { email } : {}), errors });

    const shape = shapeErrors(fields, index, width);
    if (shape.length > 0) {
      refuse(shape);
      continue;
    }
    const listed = (field('systems') ?? '').split(/[;|]/).map((s) => s.trim()).filter(Boolean);
    const kind = field('kind') ?? '';
    const parsed = createRecipientBody.safeParse({
      name: field('name'),
      email: field('email'),
      kind: KIND_WORDS.get(kind.toLowerCase()) ?? kind,
      systems: listed.map((s) => systemIds(s) ?? s),
      unit: field('unit'),
    }, { error: swedishError });
    const errors = parsed.success ? [] : zodIssuesToFieldErrors(parsed.error, [], { unknownField: swedishUnknownField });
    listed.forEach((system, i) => {
      if (systemIds(system) === undefined) errors.push(unknownSystemError(systems, system, i));
    });
    if (!parsed.success || errors.length > 0) {
      refuse(errors);
      continue;
    }
    const key = `${parsed.data.kind} ${parsed.data.email}`;
    const first = firstRowOf.get(key);
    if (first !== undefined) {
      refuse([{ path: 'email', code: 'duplicate', message: `Samma e-post och typ som rad ${first} i filen.` }]);
      continue;
    }
    firstRowOf.set(key, row);
    accepted.push({ row, recipient: parsed.data });
  }
  return { accepted, refused };
}

/** The 422 entry for a system the policy does not know; the API and the import say it alike. */
export function unknownSystemError(systems: Policy['systems'], system: string, index: number): FieldError {
  return {
    path: `systems.${index}`,
    code: 'unknown_system',
    message: `Systemet "${system}" finns inte. Kända system: ${Object.keys(systems).join(', ')}.`,
  };
}

/** More than this many bad fields and the report names the first ones: the file is the wrong file. */
const CONTROL_REPORT_LIMIT = 20;

/**
 * A control character (NUL above all: a UTF-16 file read as UTF-8 has one in every other
 * byte) means the file is not the text it seems, so the whole file is refused, each field
 * named by its line and column, rather than importing the rows that happen to look right.
 */
function refuseControlCharacters(records: readonly CsvRecord[]): void {
  const names = records[0]?.fields ?? [];
  const errors: FieldError[] = [];
  for (const [i, { row, fields }] of records.entries()) {
    fields.forEach((field, column) => {
      const problem = textProblems(field, LINE).find((p) => p.code === 'control_character');
      if (!problem) return;
      const name = i === 0 ? `header.${column + 1}` : `row.${row}.${names[column]?.toLowerCase() || column + 1}`;
      errors.push({ path: name, code: problem.code, message: `Rad ${row}, kolumn ${column + 1}: ${problem.message}` });
    });
  }
  if (errors.length === 0) return;
  const first = errors.slice(0, CONTROL_REPORT_LIMIT);
  throw new ValidationError(
    first,
    `CSV-filen innehåller otillåtna styrtecken (${first.map((e) => e.path).join(', ')}${errors.length > first.length ? ' med flera' : ''}); ` +
      'spara den som "CSV UTF-8" och försök igen.',
  );
}

interface CsvRecord {
  row: number;
  fields: string[];
}

function readRecords(text: string): CsvRecord[] {
  // csv-parse counts "\r\n" inside a quoted field as two lines; one line ending keeps rows right.
  const normalized = text.normalize('NFC').replace(/\r\n?/g, '\n');
  let parsed: { record: string[]; info: InfoRecord }[];
  try {
    parsed = parse(normalized, {
      bom: true,
      delimiter: delimiterOf(normalized),
      trim: true,
      skip_empty_lines: true,
      // Too few or too many fields are reported per row below, not thrown.
      relax_column_count: true,
      // A quote inside an unquoted field (Anna "Nisse" Berg) is kept as written.
      relax_quotes: true,
      info: true,
      // The typings do not model `info: true`, which wraps each record with where it was read.
    }) as unknown as { record: string[]; info: InfoRecord }[];
  } catch (error) {
    // Not skip_records_with_error: after a broken quote csv-parse cannot find the next row
    // again and drops the rest of the file without a word, so a broken file is refused whole.
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    throw new ValidationError(
      // csv-parse's own message is English: its code is kept, the words are ours.
      [{ path: 'body', code: 'malformed_csv', message: `${line ? `rad ${line}: ` : ''}går inte att läsa (${error.code})` }],
      `CSV-filen går inte att läsa${line ? ` (rad ${line})` : ''}: kontrollera citattecknen.`,
    );
  }
  // info.lines is the line a record ends on; a quoted field may span several lines.
  return parsed.map(({ record, info }) => ({
    row: info.lines - record.reduce((n, field) => n + field.split('\n').length - 1, 0),
    // A line break or tab inside a cell (Alt+Enter in Excel) only wraps the text there; names and units are one line.
    fields: record.map((field) => field.replace(/\s*[\n\t]\s*/g, ' ')),
  }));
}

/** Swedish Excel saves "CSV" with semicolons; the header row tells which one this file uses. */
function delimiterOf(text: string): string {
  const end = text.indexOf('\n');
  const firstLine = end === -1 ? text : text.slice(0, end);
  return firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
}

function columnIndex(header: string[]): Partial<Record<Column, number>> {
  const index: Partial<Record<Column, number>> = {};
  header.forEach((name, i) => {
    const column = COLUMNS.find((c) => c === name.toLowerCase());
    if (column && index[column] === undefined) index[column] = i;
  });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    throw new ValidationError(
      missing.map((c) => ({ path: `header.${c}`, code: 'missing_column', message: `Kolumnen "${c}" saknas i rubrikraden.` })),
      `CSV-filens rubrikrad saknar ${missing.join(', ')}; den ska vara ${COLUMNS.join(',')}.`,
    );
  }
  return index;
}

/** A row that lacks a required field, or has values past the header, was probably mis-quoted. */
function shapeErrors(fields: string[], index: Partial<Record<Column, number>>, width: number): FieldError[] {
  const needed = Math.max(...REQUIRED_COLUMNS.map((c) => index[c]!)) + 1;
  if (fields.length < needed) {
    return [{ path: '(row)', code: 'too_few_columns', message: `Raden har ${fields.length} fält; rubrikraden har ${width}.` }];
  }
  if (fields.slice(width).some((f) => f !== '')) {
    return [
      {
        path: '(row)',
        code: 'too_many_columns',
        message: `Raden har ${fields.length} fält; rubrikraden har ${width}. Sätt citattecken kring fält med kommatecken.`,
      },
    ];
  }
  return [];
}

/** A system named by its id or display name, in any case ("Tes", "CareApp", "carelock"). */
function systemResolver(systems: Policy['systems']): (name: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const [id, system] of Object.entries(systems)) {
    byName.set(id.toLowerCase(), id);
    byName.set(system.displayName.toLowerCase(), id);
  }
  return (name) => byName.get(name.toLowerCase());
}
