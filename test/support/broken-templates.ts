import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TEMPLATES_DIR } from '../../src/messages/render-notice.js';

/**
 * A copy of the bundled templates in which one file calls a helper that throws (the built-in
 * `#if` without its argument): Handlebars compiles lazily, so only rendering finds it.
 */
export function brokenTemplates(file = 'managers/announcement.html.hbs'): { dir: string; url: URL; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-templates-'));
  cpSync(fileURLToPath(TEMPLATES_DIR), dir, { recursive: true });
  writeFileSync(path.join(dir, file), '<p>{{title}}</p>\n{{#if}}aldrig{{/if}}\n');
  return { dir, url: pathToFileURL(`${dir}/`), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
