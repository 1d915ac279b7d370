import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasCompose) console.warn('docker-compose is not installed (Debian: apt-get install docker-compose); .ci/run installs it');

describe.runIf(hasCompose)('the deployment', () => {
  it('when docker-compose reads docker-compose.yml, then it validates and has the whole stack with Redis made durable', () => {
    execFileSync('docker-compose', ['config', '-q'], { stdio: 'pipe' });
    const config = execFileSync('docker-compose', ['config'], { encoding: 'utf8' });
    for (const service of ['postgres:', 'redis:', 'mailpit:', 'api:', 'workers:']) expect(config).toContain(`  ${service}`);
    expect(config).toMatch(/--maxmemory-policy\W+noeviction/);
    expect(config).toMatch(/--appendonly\W+'?yes/);
  });
});

describe('the image', () => {
  it('when the Dockerfile is read, then it builds in stages and runs as a non-root user', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});
