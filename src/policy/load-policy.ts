import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policySchema, type Policy } from './policy-schema.js';
import { describeZodError } from '../errors.js';

export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('./default-policy.json', import.meta.url));

export class PolicyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
  }
}

/** Parses and validates a policy document; throws a PolicyError whose message names the bad field. */
export function parsePolicy(text: string, source: string): Policy {
  let raw: unknown;
  try {
    // Windows editors save UTF-8 with a byte order mark, which JSON.parse does not skip.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    // V8's message quotes a snippet of the text, which may be anything (a secret, binary):
    // say only where it broke.
    throw new PolicyError(`policy ${source} is not valid JSON${jsonErrorPlace(text, error as Error)}`, { cause: error });
  }
  const result = policySchema.safeParse(raw);
  if (!result.success) {
    throw new PolicyError(`policy ${source}: ${describeZodError(result.error)}`);
  }
  return deepFreeze(result.data);
}

/** A policy is a few kilobytes; anything far larger is the wrong file. */
export const MAX_POLICY_BYTES = 1024 * 1024;

export function loadPolicy(file: string = DEFAULT_POLICY_FILE): Policy {
  return parsePolicy(readPolicyFile(file), file);
}

/**
 * Reads the file only when it is a regular file of sensible size: reading /dev/zero never
 * ends, and opening a FIFO waits for a writer, so both would hang start-up without a word.
 * The check is made on the path and again on the opened descriptor, in case it was swapped.
 */
function readPolicyFile(file: string): string {
  const refuse = (reason: string, cause?: unknown) => new PolicyError(`policy file ${file} ${reason}`, { cause });
  let fd: number;
  try {
    assertRegularFile(statSync(file), refuse);
    fd = openSync(file, 'r');
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw refuse(`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
  try {
    assertRegularFile(fstatSync(fd), refuse);
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw refuse(`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  } finally {
    closeSync(fd);
  }
}

function assertRegularFile(stats: { isFile(): boolean; isDirectory(): boolean; size: number }, refuse: (reason: string) => PolicyError): void {
  if (stats.isDirectory()) throw refuse('is a directory, not a file');
  if (!stats.isFile()) throw refuse('is not a regular file (a device, a pipe or a socket)');
  if (stats.size > MAX_POLICY_BYTES) throw refuse(`is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
}

/** Where the JSON broke, from V8's "at position N", without a word of the text itself. */
function jsonErrorPlace(text: string, error: Error): string {
  const position = /at position (\d+)/.exec(error.message);
  if (position) {
    const before = text.replace(/^\uFEFF/, '').slice(0, Number(position[1]));
    const line = before.split('\n').length;
    return `: error at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
  }
  return /end of JSON input/.test(error.message) ? ': it ends too early' : ': unexpected character';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
