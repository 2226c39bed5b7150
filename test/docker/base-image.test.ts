// The local base image: built with no registry, runs busybox and redis-cli.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Dockerode from 'dockerode';
import { ensureDocker, type DockerHandle } from '../support/docker';
import { runContainer } from '../support/container';
import { BASE_IMAGE_TAG, ensureBaseImage } from '../../src/local/base-image';

let handle: DockerHandle;
let docker: Dockerode;

before(async () => {
  handle = await ensureDocker();
  docker = new Dockerode({ socketPath: handle.socketPath });
});
after(async () => handle?.stop());

test('builds the base image and reuses it by tag', async () => {
  const tag = await ensureBaseImage(docker);
  assert.equal(tag, BASE_IMAGE_TAG);
  const first = await docker.getImage(tag).inspect();
  const again = await ensureBaseImage(docker);
  assert.equal(again, tag);
  assert.equal((await docker.getImage(tag).inspect()).Id, first.Id);
});

test('a container from it runs redis-cli and a busybox shell', async () => {
  const tag = await ensureBaseImage(docker);
  const r = await runContainer(docker, { Image: tag, Cmd: ['sh', '-c', 'redis-cli -v && echo shell-ok'] });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /redis-cli \d+\.\d+/);
  assert.match(r.stdout, /shell-ok/);
});
