// ImageService.push to a real registry (Debian's docker-registry with htpasswd auth on a
// loopback port): what "Build and Register" does for a cluster whose nodes are elsewhere.
// The right login lands the tag in the registry (seen through its HTTP API) and the image can
// be pulled back; a wrong or missing login is a DockerError 'pushFailed' that says what to do
// and never shows the password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { createImageService } from '../../src/core/images';
import { DockerError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/ports';
import type { ImageService, ServiceSettings } from '../../src/core/service-api';
import { ensureBaseImage } from '../../src/local/base-image';
import { isRegistryAuthFailure, registryTag } from '../../src/ui-model/build-plan';
import { ensureDocker, type DockerHandle } from '../support/docker';
import { startRegistry, type TestRegistry } from '../support/registry';

const settings: ServiceSettings = { hubTimeoutMs: 5000, redisTimeoutMs: 5000, dockerTimeoutMs: 10_000, pushBatchSize: 1000 };
const LOCAL_TAG = `gridcore-test/registry-push:${process.pid}`;
let handle: DockerHandle;
let docker: Dockerode;
let images: ImageService;
let registry: TestRegistry;
let work: string;
let remote: string;

async function pushFails(ref: string, login: { username?: string; password?: string }): Promise<{ error: DockerError; log: string[] }> {
  const log: string[] = [];
  try {
    await images.push(ref, { ...login, onLog: (l) => log.push(l) });
  } catch (e) {
    assert.ok(e instanceof DockerError, `expected DockerError, got ${e}`);
    return { error: e, log };
  }
  assert.fail(`the push of ${ref} should have been refused`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'gc-registry-test-'));
  handle = await ensureDocker();
  docker = new Dockerode({ socketPath: handle.socketPath });
  images = createImageService(settings, silentLogger, { socketPath: handle.socketPath });
  registry = await startRegistry();
  // the name Build and Register pushes for a cluster profile whose registry is http://HOST/team
  remote = registryTag(`http://${registry.host}/team/`, `task:t${process.pid}`);
  assert.equal(remote, `${registry.host}/team/task:t${process.pid}`);
  const base = await ensureBaseImage(docker);
  writeFileSync(join(work, 'Dockerfile'), `FROM ${base}\nRUN echo pushed-${process.pid} > /marker\nCMD ["cat", "/marker"]\n`);
  await images.build({ context: work, tag: LOCAL_TAG });
});

after(async () => {
  for (const t of [LOCAL_TAG, remote]) if (t) await docker?.getImage(t).remove({ force: true }).catch(() => {});
  await registry?.stop();
  await handle?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('Docker allows a plain-HTTP registry on 127.0.0.0/8 without configuration', async () => {
  const info = (await docker.info()) as { RegistryConfig?: { InsecureRegistryCIDRs?: string[] } };
  assert.ok(info.RegistryConfig?.InsecureRegistryCIDRs?.includes('127.0.0.0/8'), JSON.stringify(info.RegistryConfig));
});

test('a wrong password: pushFailed, says to check the login, shows no password', async () => {
  await images.tag(LOCAL_TAG, remote);
  const wrong = `wrong-${registry.password}`;
  const { error, log } = await pushFails(remote, { username: registry.username, password: wrong });
  assert.equal(error.code, 'pushFailed', error.message);
  assert.match(error.message, new RegExp(remote.replace(/[.:/]/g, '\\$&')));
  assert.match(error.message, /logged in \(user and password in the cluster profile\)/);
  assert.ok(isRegistryAuthFailure(error.message), 'Build and Register would not ask for a new login');
  for (const text of [error.message, error.log ?? '', ...log, JSON.stringify(error)]) {
    assert.ok(!text.includes(wrong), `the password shows in: ${text}`);
    assert.ok(!text.includes(registry.password), `the right password shows in: ${text}`);
  }
  assert.equal((await registry.get('/v2/team/task/tags/list')).status, 404, 'nothing may land in the registry');
});

test('no login at all: pushFailed too', async () => {
  const { error } = await pushFails(remote, {});
  assert.equal(error.code, 'pushFailed', error.message);
  assert.ok(isRegistryAuthFailure(error.message), error.message);
});

test('the right login pushes the tag; the registry lists it and a node can pull it back', async () => {
  const log: string[] = [];
  await images.push(remote, { username: registry.username, password: registry.password, onLog: (l) => log.push(l) });
  assert.ok(log.some((l) => /Pushed|digest/.test(l)), log.join('\n'));
  assert.ok(log.every((l) => !l.includes(registry.password)));
  const tags = await registry.get<{ name: string; tags: string[] }>('/v2/team/task/tags/list');
  assert.equal(tags.status, 200);
  assert.deepEqual(tags.body, { name: 'team/task', tags: [`t${process.pid}`] });

  // What a node on another machine does: pull the registry name with the same login.
  const localId = (await docker.getImage(LOCAL_TAG).inspect()).Id;
  await docker.getImage(remote).remove();
  const stream = await docker.pull(remote, { authconfig: { username: registry.username, password: registry.password, serveraddress: registry.host } });
  await new Promise<void>((res, rej) => docker.modem.followProgress(stream, (e: Error | null) => (e ? rej(e) : res())));
  assert.equal((await docker.getImage(remote).inspect()).Id, localId);
});

test('pushing a tag that was never made: imageMissing', async () => {
  const { error } = await pushFails(`${registry.host}/team/never-built:1`, { username: registry.username, password: registry.password });
  assert.equal(error.code, 'imageMissing', error.message);
});
