// ImageService against a real Docker engine: builds from the local base image, build
// failures mapped to their Dockerfile line, .dockerignore, cancel, daemon down, push errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { ensureDocker, startPrivateDockerd, type DockerHandle } from '../support/docker';
import { runContainer } from '../support/container';
import { createImageService } from '../../src/core/images';
import { ensureBaseImage } from '../../src/local/base-image';
import { DockerError } from '../../src/core/errors';
import { silentLogger, type CancellationSignal } from '../../src/core/ports';
import type { ImageService, ServiceSettings } from '../../src/core/service-api';

const settings: ServiceSettings = { hubTimeoutMs: 5000, redisTimeoutMs: 5000, dockerTimeoutMs: 10_000, pushBatchSize: 1000 };
let handle: DockerHandle;
let docker: Dockerode;
let images: ImageService;
let base: string;
let work: string;
const made: string[] = [];

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'ctx-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function tag(name: string): string {
  const t = `gridcore-test/${name}:${process.pid}`;
  made.push(t);
  return t;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<DockerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DockerError, `expected DockerError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected DockerError ${code}`);
}

function canceller(): { signal: CancellationSignal; cancel(): void } {
  const listeners: Array<() => void> = [];
  const signal = {
    isCancellationRequested: false,
    onCancellationRequested(l: () => void) {
      listeners.push(l);
      return { dispose() {} };
    },
  };
  return { signal, cancel: () => ((signal.isCancellationRequested = true), listeners.forEach((l) => l())) };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'gc-images-'));
  handle = await ensureDocker();
  docker = new Dockerode({ socketPath: handle.socketPath });
  images = createImageService(settings, silentLogger, { socketPath: handle.socketPath });
  base = await ensureBaseImage(docker);
});

after(async () => {
  for (const t of made) await docker.getImage(t).remove({ force: true }).catch(() => {});
  await handle?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('ping answers', async () => {
  await images.ping();
});

test('builds a task image from the local base, streaming the log; exists and list see it', async () => {
  const ctx = folder({ Dockerfile: `FROM ${base}\nARG GREETING=none\nRUN echo "greeting=$GREETING" > /greeting\nENTRYPOINT ["cat", "/greeting"]\n` });
  const lines: string[] = [];
  const t = tag('hello');
  const r = await images.build({ context: ctx, tag: t, buildArgs: { GREETING: 'hi' }, onLog: (l) => lines.push(l) });
  assert.equal(r.tag, t);
  assert.match(r.imageId, /^sha256:|^[0-9a-f]+$/);
  assert.ok(lines.some((l) => /^Step 3\/4 : RUN/.test(l)), lines.join('\n'));
  assert.equal(await images.exists(t), true);
  assert.equal(await images.exists('gridcore-test/never-built:nope'), false);
  const listed = await images.list('gridcore-test/hello');
  assert.ok(listed.some((i) => i.tags.includes(t)));
  const run = await runContainer(docker, { Image: t });
  assert.equal(run.stdout.trim(), 'greeting=hi');
});

test('a failing step gives buildFailed with its output and Dockerfile line', async () => {
  const ctx = folder({
    Dockerfile: `# comment\nFROM ${base}\n\nRUN echo fine\nRUN echo "about to fail" && \\\n    echo "bad thing happened" >&2 && exit 3\nRUN echo never\n`,
  });
  const e = await rejectsWith(images.build({ context: ctx, tag: tag('fails') }), 'buildFailed');
  assert.deepEqual(e.location, { file: 'Dockerfile', line: 5 });
  assert.match(e.message, /line 5/);
  assert.match(e.log ?? '', /about to fail/);
  assert.match(e.log ?? '', /bad thing happened/);
  assert.doesNotMatch(e.log ?? '', /fine/);
});

test('a COPY of a missing file points at the COPY line', async () => {
  const ctx = folder({ Dockerfile: `FROM ${base}\nCOPY nothere.txt /x\n` });
  const e = await rejectsWith(images.build({ context: ctx, tag: tag('copyfail') }), 'buildFailed');
  assert.equal(e.location?.line, 2);
});

test('a missing Dockerfile is reported before Docker is contacted', async () => {
  const ctx = folder({ 'consumer.sh': 'echo' });
  const offline = createImageService(settings, silentLogger, { socketPath: join(work, 'no-daemon.sock') });
  const e = await rejectsWith(offline.build({ context: ctx, tag: 'x:y' }), 'noDockerfile');
  assert.match(e.message, /Dockerfile/);
  await rejectsWith(offline.build({ context: join(work, 'no-such-folder'), tag: 'x:y' }), 'noDockerfile');
});

test('.dockerignore is honoured (with exceptions); an ignored Dockerfile still builds but is not copied', async () => {
  const ctx = folder({
    Dockerfile: `FROM ${base}\nCOPY . /ctx\nENTRYPOINT ["find", "/ctx", "-type", "f"]\n`,
    '.dockerignore': '# local junk\nsecret.env\nlogs\nnode_modules\n!node_modules/keep.js\nDockerfile\n*.tmp\n',
    'secret.env': 'PW=1',
    'logs/a.log': 'x',
    'app.sh': 'echo',
    'scratch.tmp': 'x',
    'node_modules/drop.js': 'x',
    'node_modules/keep.js': 'x',
    'sub/data.txt': 'x',
  });
  const t = tag('ignore');
  await images.build({ context: ctx, tag: t });
  const run = await runContainer(docker, { Image: t });
  const files = run.stdout.trim().split('\n').sort();
  // as with the docker CLI: the daemon reads the Dockerfile, then drops it from COPY
  assert.deepEqual(files, ['/ctx/.dockerignore', '/ctx/app.sh', '/ctx/node_modules/keep.js', '/ctx/sub/data.txt']);
});

test('a Dockerfile in a sub folder, and a build target stage', async () => {
  const ctx = folder({
    'docker/Task.Dockerfile': `FROM ${base} AS one\nRUN echo one > /stage\nFROM ${base} AS two\nRUN echo two > /stage\n`,
  });
  const t = tag('target');
  await images.build({ context: ctx, dockerfile: 'docker/Task.Dockerfile', target: 'one', tag: t });
  const run = await runContainer(docker, { Image: t, Cmd: ['cat', '/stage'] });
  assert.equal(run.stdout.trim(), 'one');
});

test('cancelling a build ends it with cancelled', async () => {
  const ctx = folder({ Dockerfile: `FROM ${base}\nRUN echo started && sleep 60\n` });
  const c = canceller();
  const e = await rejectsWith(
    images.build({ context: ctx, tag: tag('cancel'), signal: c.signal, onLog: (l) => /started/.test(l) && c.cancel() }),
    'cancelled',
  );
  assert.match(e.message, /cancel/i);
  const already = canceller();
  already.cancel();
  await rejectsWith(images.build({ context: ctx, tag: tag('cancel2'), signal: already.signal }), 'cancelled');
});

test('tag, and a push to an unreachable registry gives pushFailed with its text', async () => {
  const target = `127.0.0.1:9/gridcore-test/pushme:${process.pid}`;
  made.push(target);
  await images.tag(base, target);
  assert.equal(await images.exists(target), true);
  await rejectsWith(images.tag('gridcore-test/never-built:nope', 'x:y'), 'imageMissing');
  const lines: string[] = [];
  const e = await rejectsWith(images.push(target, { username: 'u', password: 'sekret-pw', onLog: (l) => lines.push(l) }), 'pushFailed');
  assert.match(e.message, /127\.0\.0\.1:9/);
  assert.doesNotMatch(e.message + lines.join('\n'), /sekret-pw/);
});

test('no daemon: daemonDown from ping, build, list', async () => {
  const dead = createImageService(settings, silentLogger, { socketPath: join(work, 'dead.sock') });
  const e = await rejectsWith(dead.ping(), 'daemonDown');
  assert.match(e.message, /dead\.sock/);
  assert.match(e.message, /DOCKER_HOST/);
  await rejectsWith(dead.build({ context: folder({ Dockerfile: 'FROM scratch\n' }), tag: 'x:y' }), 'daemonDown');
  await rejectsWith(dead.list(), 'daemonDown');
  await rejectsWith(dead.exists('x:y'), 'daemonDown');
});

test('a daemon that accepts but never answers: daemonDown after the timeout', async () => {
  const sock = join(work, 'silent.sock');
  const held: Socket[] = [];
  const server: Server = createServer((c) => held.push(c)).listen(sock);
  await new Promise((r) => server.once('listening', r));
  try {
    const silent = createImageService({ ...settings, dockerTimeoutMs: 300 }, silentLogger, { socketPath: sock });
    await rejectsWith(silent.ping(), 'daemonDown');
    await rejectsWith(silent.list(), 'timeout');
  } finally {
    held.forEach((c) => c.destroy());
    server.close();
  }
});

test('the daemon going down mid-build gives daemonDown', async () => {
  const own = await startPrivateDockerd();
  try {
    const svc = createImageService(settings, silentLogger, { socketPath: own.socketPath });
    // the step outlives the test by a few seconds at most once its shim is gone
    const ctx = folder({ Dockerfile: 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo running; /bin/busybox sleep 3"]\n' });
    copyFileSync('/bin/busybox', join(ctx, 'busybox'));
    let killed = false;
    await rejectsWith(
      svc.build({ context: ctx, tag: 'gridcore-test/midbuild:1', onLog: (l) => { if (!killed && /running/.test(l)) { killed = true; void own.crash(); } } }),
      'daemonDown',
    );
    assert.ok(killed);
  } finally {
    await own.stop();
  }
});
