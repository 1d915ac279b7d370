import path from 'node:path';
import type { ApiToken } from '../config.js';
import { readOrCreateSecret } from './secret-file.js';

/** The generated token's name in the audit trail: "Registrerat av admin". */
export const GENERATED_TOKEN_NAME = 'admin';

/**
 * The API tokens: those configured in API_TOKENS, or else one admin token generated at
 * first start and kept in DATA_DIR/admin-token (mode 600). `created` tells the caller to
 * print it, once.
 */
export function resolveTokens(configured: readonly ApiToken[] | undefined, dataDir: string): { tokens: readonly ApiToken[]; created: string | null; file: string } {
  if (configured) return { tokens: configured, created: null, file: path.join(dataDir, 'admin-token') };
  const { secret, created, file } = readOrCreateSecret(dataDir, 'admin-token');
  return { tokens: [{ role: 'admin', name: GENERATED_TOKEN_NAME, token: secret }], created: created ? secret : null, file };
}

/**
 * The key personal links are signed with: LINK_SECRET, or else one generated at first start
 * into DATA_DIR/link-secret (mode 600), read by every process on that DATA_DIR.
 */
export function resolveLinkSecret(configured: string | undefined, dataDir: string): string {
  return configured ?? readOrCreateSecret(dataDir, 'link-secret').secret;
}
