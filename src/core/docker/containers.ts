// Docker side of the node: names, specs, image lookup/pull, stop-then-remove, and finding
// containers a previous run of the same node left behind. Containers are named as upstream's
// gridnode names them (idm-<task>-<node_id>-<instance>) and also carry our labels; a restarted
// node (or a crash cleanup) finds its own by either.
import Docker from 'dockerode';
import { DockerError } from '../errors';
import { l10n } from '../l10n';
import type { Logger } from '../ports';
import { maskUrl, redact } from '../redact';
import type { TaskConfig } from '../types';

// Names and labels live in core (one function for everyone who asks Docker about a node's
// containers); re-exported here for the node's callers.
import { containerName, INSTANCE_LABEL, NODE_LABEL, nodeContainerOf, TASK_LABEL } from './container-names';
export { containerName, INSTANCE_LABEL, isNodeContainer, NODE_LABEL, TASK_LABEL } from './container-names';

export function containerEnv(task: TaskConfig, nodeId: string, instance: number): string[] {
  const env: Record<string, string | null> = {
    TASK_NAME: task.task_name,
    NODE_ID: nodeId,
    INSTANCE_ID: String(instance),
    INPUT_REDIS_URL: task.input_redis,
    OUTPUT_REDIS_URL: task.output_redis,
    INPUT_QUEUE: task.input_queue,
    OUTPUT_QUEUE: task.output_queue,
  };
  return Object.entries(env)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([k, v]) => `${k}=${v}`);
}

export interface ContainerSpecOptions {
  memoryMb: number;
  networkMode?: string;
  /** false: no labels (upstream's node puts none) */
  labels?: boolean;
}

export function containerSpec(task: TaskConfig, nodeId: string, instance: number, o: ContainerSpecOptions): Docker.ContainerCreateOptions {
  return {
    name: containerName(task.task_name, nodeId, instance),
    Image: task.image,
    Env: containerEnv(task, nodeId, instance),
    ...(o.labels === false ? {} : { Labels: { [NODE_LABEL]: nodeId, [TASK_LABEL]: task.task_name, [INSTANCE_LABEL]: String(instance) } }),
    HostConfig: {
      Memory: o.memoryMb * 1024 * 1024,
      // One CPU each. Upstream sets CpuCount, which only Windows honours; NanoCpus is the
      // limit Linux applies.
      NanoCpus: 1_000_000_000,
      ...(o.networkMode ? { NetworkMode: o.networkMode } : {}),
    },
  };
}

export function dockerFrom(opts: { docker?: Docker; socketPath?: string }): Docker {
  if (opts.docker) return opts.docker;
  // With no socket given, docker-modem reads DOCKER_HOST, else the default socket.
  return opts.socketPath ? new Docker({ socketPath: opts.socketPath }) : new Docker();
}

function statusOf(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'statusCode' in e ? (e as { statusCode?: number }).statusCode : undefined;
}

export class ContainerOps {
  constructor(
    readonly docker: Docker,
    private readonly logger: Logger,
    private readonly secrets: () => string[] = () => [],
    /** upstream's node: a 409 on create is met with a removal without force (which fails on a
     *  running container) and one more try, no more */
    private readonly upstreamConflicts = false,
  ) {}

  /** Local image if present, else a pull (which fails clearly where no registry is reachable). */
  async ensureImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch (e) {
      if (statusOf(e) !== 404) throw new DockerError('api', l10n.t('Docker could not inspect image {image}: {detail}', { image, detail: (e as Error).message }), undefined, { cause: e });
    }
    this.logger.info(`pulling ${image} (not present locally)`);
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    } catch (e) {
      throw new DockerError('imageMissing', l10n.t('Image {image} is not on this machine and could not be pulled ({detail}). Build it here or push it to a registry this node can reach.', { image, detail: (e as Error).message }), undefined, { cause: e });
    }
  }

  async create(spec: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    try {
      return await this.docker.createContainer(spec);
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
      if (this.upstreamConflicts) {
        this.logger.warn(`container ${spec.name} already exists; removing it (without force)`);
        await this.docker
          .getContainer(spec.name!)
          .remove()
          .catch((err: Error) => this.logger.warn(`remove ${spec.name}: ${err.message}`));
        return this.docker.createContainer(spec);
      }
      // A container with this name survives from an earlier run: it is ours by name, replace it.
      this.logger.warn(`container ${spec.name} already exists; removing it`);
      await this.remove(this.docker.getContainer(spec.name!), 0);
      return this.docker.createContainer(spec);
    }
  }

  /** SIGTERM, SIGKILL after `timeoutSec`, then remove. Missing containers are fine. */
  async remove(container: Docker.Container, timeoutSec: number): Promise<void> {
    try {
      await container.stop({ t: timeoutSec });
    } catch (e) {
      const s = statusOf(e);
      if (s !== 304 && s !== 404) this.logger.warn(`stop ${container.id}: ${(e as Error).message}`);
    }
    try {
      await container.remove({ force: true });
    } catch (e) {
      if (statusOf(e) !== 404) this.logger.warn(`remove ${container.id}: ${(e as Error).message}`);
    }
  }

  /** Containers of this node left from an earlier run: by label, or by upstream's naming. */
  async leftovers(nodeId: string): Promise<Docker.ContainerInfo[]> {
    const all = await this.docker.listContainers({ all: true });
    return all.filter((c) => nodeContainerOf(c, [nodeId]));
  }

  async removeLeftovers(nodeId: string): Promise<number> {
    const found = await this.leftovers(nodeId);
    // They were abandoned by a killed process: no graceful stop owed.
    await Promise.all(found.map((c) => this.remove(this.docker.getContainer(c.Id), 0)));
    if (found.length) this.logger.info(`removed ${found.length} container(s) left by an earlier run of node ${nodeId}`);
    return found.length;
  }

  async exitCode(container: Docker.Container): Promise<number | undefined> {
    try {
      const info = await container.inspect();
      return info.State.ExitCode;
    } catch {
      return undefined;
    }
  }

  async lastLogs(container: Docker.Container, lines = 20): Promise<string> {
    try {
      const buf = (await container.logs({ stdout: true, stderr: true, tail: lines })) as unknown as Buffer;
      // Non-TTY logs come multiplexed: 8-byte frame headers before each chunk.
      const out: string[] = [];
      let i = 0;
      while (i + 8 <= buf.length) {
        const len = buf.readUInt32BE(i + 4);
        out.push(buf.subarray(i + 8, i + 8 + len).toString('utf8'));
        i += 8 + len;
      }
      return maskContainerText(out.join(''), this.secrets());
    } catch {
      return '';
    }
  }
}

/** Container output as it may be shown: Redis URLs masked, known secrets removed. */
export function maskContainerText(text: string, secrets: string[]): string {
  return redact(text.replace(/rediss?:\/\/\S+/g, (u) => maskUrl(u)), secrets);
}
