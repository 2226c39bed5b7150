// ImageService on the Docker Engine API (dockerode). Builds, tags, pushes and lists images;
// every call that is not a stream has a timeout, and streams are cancellable instead.
import type Dockerode from 'dockerode';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DockerError } from '../errors';
import { l10n } from '../l10n';
import type { CancellationSignal, Logger } from '../ports';
import { redact } from '../redact';
import type { BuildOptions, BuildResult, ImageService, ImageSummary, ServiceSettings } from '../service-api';
import { runBuild } from './build-run';
import { packContext } from './context';
import { readJsonLines } from './json-lines';
import { createDocker, dockerUnreachable, inspectImage, isConnectionError, pingDaemon, resolveDaemon, withTimeout } from './daemon';

export { locateBuildFailure } from './build-run';
export { resolveDaemon } from './daemon';

/** `registry:5000/ns/name:tag` -> repo and tag (a colon before the last slash is a port). */
export function splitReference(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}

/** The registry host of a reference, as `docker login` names it. */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0];
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'https://index.docker.io/v1/';
}

class DockerImageService implements ImageService {
  private readonly docker: Dockerode;
  private readonly where: string;

  constructor(private readonly settings: ServiceSettings, private readonly logger: Logger, socketPath?: string) {
    const addr = resolveDaemon(socketPath);
    this.where = addr.where;
    this.docker = createDocker(addr);
  }

  private get timeoutMs(): number {
    return this.settings.dockerTimeoutMs;
  }

  /** Maps a dockerode failure to a DockerError; `what` names the action for the message. */
  private fail(e: unknown, what: string): DockerError {
    if (e instanceof DockerError) return e;
    if (isConnectionError(e) || (e as { statusCode?: number }).statusCode === undefined) return dockerUnreachable(this.where, e);
    const text = (e as { json?: { message?: string } }).json?.message ?? (e as Error).message;
    return new DockerError('api', l10n.t('Docker could not {what}: {error}', { what, error: text }), undefined, { cause: e });
  }

  async ping(): Promise<void> {
    await pingDaemon(this.docker, this.where, this.timeoutMs);
  }

  async build(opts: BuildOptions): Promise<BuildResult> {
    const context = resolve(opts.context);
    const dockerfileName = opts.dockerfile ?? 'Dockerfile';
    const dockerfilePath = isAbsolute(dockerfileName) ? dockerfileName : resolve(context, dockerfileName);
    if (!existsSync(context) || !statSync(context).isDirectory()) {
      throw new DockerError('noDockerfile', l10n.t('The build folder {folder} does not exist. Open the task folder that holds the Dockerfile.', { folder: context }));
    }
    if (!existsSync(dockerfilePath) || !statSync(dockerfilePath).isFile()) {
      throw new DockerError('noDockerfile', l10n.t('There is no {file} in {folder}. Add a Dockerfile (New Task from Template makes one), or pick the folder that has it.', { file: dockerfileName, folder: context }));
    }
    const dockerfileText = readFileSync(dockerfilePath, 'utf8');
    await this.ping();
    const packed = packContext(context, dockerfilePath);
    this.logger.info(`docker build ${opts.tag} (${context}, ${packed.dockerfile})`);
    const { imageId } = await runBuild(
      this.docker,
      packed.stream,
      { t: opts.tag, dockerfile: packed.dockerfile, buildargs: opts.buildArgs, platform: opts.platform, target: opts.target },
      { signal: opts.signal, onLog: opts.onLog, dockerfileText, dockerfileName, where: this.where },
    );
    this.logger.info(`built ${opts.tag} ${imageId}`);
    return { tag: opts.tag, imageId };
  }

  async tag(source: string, target: string): Promise<void> {
    const { repo, tag } = splitReference(target);
    try {
      await withTimeout('tag', this.timeoutMs, (abortSignal) => this.docker.getImage(source).tag({ repo, tag, abortSignal }));
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) {
        throw new DockerError('imageMissing', l10n.t('There is no image {image} to tag. Build it first.', { image: source }), undefined, { cause: e });
      }
      throw this.fail(e, l10n.t('tag {source} as {target}', { source, target }));
    }
  }

  async push(ref: string, opts: { username?: string; password?: string; signal?: CancellationSignal; onLog?(line: string): void } = {}): Promise<void> {
    await this.ping();
    // The engine reports a missing tag inside the push stream, like a refusal by the registry.
    if (!(await this.exists(ref))) {
      throw new DockerError('imageMissing', l10n.t('There is no image {image} to push. Build and tag it first.', { image: ref }));
    }
    const { repo, tag } = splitReference(ref);
    const abort = new AbortController();
    const sub = opts.signal?.onCancellationRequested?.(() => abort.abort());
    if (opts.signal?.isCancellationRequested) abort.abort();
    const authconfig = opts.username || opts.password ? { username: opts.username ?? '', password: opts.password ?? '', serveraddress: registryOf(ref) } : {};
    const cancelled = () => new DockerError('cancelled', l10n.t('The push of {image} was cancelled.', { image: ref }));
    const secrets = [opts.password];
    let error: string | undefined;
    try {
      if (abort.signal.aborted) throw cancelled();
      let res: NodeJS.ReadableStream;
      try {
        res = (await this.docker.getImage(repo).push({ tag, authconfig, abortSignal: abort.signal } as never)) as unknown as NodeJS.ReadableStream;
      } catch (e) {
        if (abort.signal.aborted) throw cancelled();
        if ((e as { statusCode?: number }).statusCode === 404) {
          throw new DockerError('imageMissing', l10n.t('There is no image {image} to push. Build and tag it first.', { image: ref }), undefined, { cause: e });
        }
        throw this.fail(e, l10n.t('push {image}', { image: ref }));
      }
      const handle = (raw: string) => {
        try {
          const obj = JSON.parse(raw) as { status?: string; progress?: string; id?: string; error?: string; errorDetail?: { message?: string } };
          if (obj.error || obj.errorDetail) error = obj.errorDetail?.message ?? obj.error;
          const line = [obj.id, obj.status, obj.progress, obj.error].filter(Boolean).join(' ');
          if (line) opts.onLog?.(redact(line, secrets));
        } catch {
          opts.onLog?.(redact(raw, secrets));
        }
      };
      await readJsonLines(res, handle, (e) => (abort.signal.aborted ? cancelled() : dockerUnreachable(this.where, e)));
    } finally {
      sub?.dispose();
    }
    if (abort.signal.aborted) throw cancelled();
    if (error !== undefined) {
      throw new DockerError('pushFailed', l10n.t('The registry refused the push of {image}: {error}. Check the registry address, that you are logged in (user and password in the cluster profile), and that the repository exists.', { image: ref, error: redact(error, secrets) }), redact(error, secrets));
    }
    this.logger.info(`pushed ${ref} to ${registryOf(ref)}`);
  }

  async list(filter?: string): Promise<ImageSummary[]> {
    try {
      const images = await withTimeout('list images', this.timeoutMs, (abortSignal) => this.docker.listImages(filter ? { filters: { reference: [filter] }, abortSignal } : { abortSignal }));
      return images.map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        created: i.Created,
        size: i.Size,
      }));
    } catch (e) {
      throw this.fail(e, l10n.t('list images'));
    }
  }

  async exists(tag: string): Promise<boolean> {
    try {
      await withTimeout('inspect', this.timeoutMs, (signal) => inspectImage(this.docker, tag, signal));
      return true;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return false;
      throw this.fail(e, l10n.t('inspect {image}', { image: tag }));
    }
  }
}

export function createImageService(settings: ServiceSettings, logger: Logger, opts: { socketPath?: string } = {}): ImageService {
  return new DockerImageService(settings, logger, opts.socketPath);
}
