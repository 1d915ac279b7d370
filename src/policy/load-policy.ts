import { readFileSync } from 'node:fs';
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
    raw = JSON.parse(text);
  } catch (error) {
    // One line: V8 quotes a snippet of the text, newlines included.
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new PolicyError(`policy ${source} is not valid JSON: ${reason}`, { cause: error });
  }
  const result = policySchema.safeParse(raw);
  if (!result.success) {
    throw new PolicyError(`policy ${source}: ${describeZodError(result.error)}`);
  }
  return deepFreeze(result.data);
}

export function loadPolicy(file: string = DEFAULT_POLICY_FILE): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(`policy file ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return parsePolicy(text, file);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
