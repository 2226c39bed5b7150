// Runs one `POST /build` and reads its JSON-lines answer: log lines out as they come, the
// image id at the end, and on failure the failing step's own output plus the Dockerfile
// line of that step. Used by the ImageService and by the local base-image builder.
import type Dockerode from 'dockerode';
import { DockerError } from '../errors';
import { l10n } from '../l10n';
import type { CancellationSignal } from '../ports';
import { parseDockerfile } from '../dockerfile-parse';
import { dockerUnreachable, pingDaemon } from './daemon';
import { readJsonLines } from './json-lines';

export interface BuildQuery {
  t: string;
  dockerfile?: string;
  buildargs?: Record<string, string>;
  platform?: string;
  target?: string;
  rm?: boolean;
  forcerm?: boolean;
}

export interface BuildControl {
  signal?: CancellationSignal;
  onLog?(line: string): void;
  /** Dockerfile text, to map a failing step back to its line */
  dockerfileText?: string;
  dockerfileName?: string;
  /** where the daemon lives, for the "not reachable" message */
  where: string;
}

export interface BuildFailure {
  /** 1-based step number as the builder printed it */
  step?: number;
  /** 1-based Dockerfile line of that step */
  line?: number;
  /** the step's own output, last lines first trimmed to a readable size */
  output: string;
  error: string;
}

const STEP = /^Step (\d+)\/(\d+) : (\S+)(.*)$/;

/** Maps the builder's error and log to the failing step and its Dockerfile line. */
export function locateBuildFailure(logLines: string[], error: string, dockerfileText?: string): BuildFailure {
  let stepIdx = -1;
  for (let i = logLines.length - 1; i >= 0; i--) {
    if (STEP.test(logLines[i])) {
      stepIdx = i;
      break;
    }
  }
  const stepOutput = (stepIdx >= 0 ? logLines.slice(stepIdx + 1) : logLines).filter((l) => !/^ ---> /.test(l));
  const output = stepOutput.slice(-60).join('\n');
  const m = stepIdx >= 0 ? STEP.exec(logLines[stepIdx]) : null;
  const step = m ? Number(m[1]) : undefined;
  let line: number | undefined;
  if (dockerfileText) {
    const parsed = parseDockerfile(dockerfileText);
    if (m) {
      const ins = parsed.instructions[Number(m[1]) - 1];
      if (ins && ins.keyword === m[3].toUpperCase()) line = ins.line + 1;
    }
    if (line === undefined) line = lineFromErrorText(error, parsed);
  }
  return { step, line, output, error };
}

/** BuildKit prints `Dockerfile:12`; both builders quote the failing command. */
function lineFromErrorText(error: string, parsed: ReturnType<typeof parseDockerfile>): number | undefined {
  const direct = /Dockerfile(?:\.[\w.-]+)?:(\d+)/.exec(error);
  if (direct) return Number(direct[1]);
  const cmd = /(?:command '|process ")\/bin\/sh -c (.+?)(?:' returned|" did not)/.exec(error)?.[1];
  if (!cmd) return undefined;
  const ins = parsed.instructions.find((x) => x.keyword === 'RUN' && x.args.replace(/\s+/g, ' ').includes(cmd.replace(/\s+/g, ' ')));
  return ins ? ins.line + 1 : undefined;
}

export async function runBuild(docker: Dockerode, context: NodeJS.ReadableStream, query: BuildQuery, ctl: BuildControl): Promise<{ imageId: string }> {
  if (ctl.signal?.isCancellationRequested) throw cancelled();
  const abort = new AbortController();
  const sub = ctl.signal?.onCancellationRequested?.(() => abort.abort());
  const logLines: string[] = [];
  let imageId = '';
  let error: string | undefined;
  try {
    let res: NodeJS.ReadableStream;
    try {
      res = (await docker.buildImage(context, { ...query, rm: query.rm ?? true, forcerm: query.forcerm ?? true, abortSignal: abort.signal } as Dockerode.ImageBuildOptions)) as NodeJS.ReadableStream;
    } catch (e) {
      if (abort.signal.aborted) throw cancelled();
      throw requestError(e, ctl.where);
    }
    let partial = '';
    const emit = (text: string) => {
      partial += text;
      const pieces = partial.split('\n');
      partial = pieces.pop() ?? '';
      for (const p of pieces) {
        const line = p.replace(/\r$/, '');
        logLines.push(line);
        if (logLines.length > 5000) logLines.splice(0, 1000);
        ctl.onLog?.(line);
      }
    };
    const handle = (raw: string) => {
      let obj: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } };
      try {
        obj = JSON.parse(raw);
      } catch {
        emit(raw + '\n');
        return;
      }
      if (obj.stream) emit(obj.stream);
      else if (obj.status) emit(obj.status + '\n');
      if (obj.aux?.ID) imageId = obj.aux.ID;
      if (obj.error || obj.errorDetail) error = obj.errorDetail?.message ?? obj.error;
    };
    await readJsonLines(res, handle, (e) => (abort.signal.aborted ? cancelled() : requestError(e, ctl.where)));
    if (partial) emit('\n');
  } finally {
    sub?.dispose();
  }
  if (abort.signal.aborted) throw cancelled();
  if (error !== undefined) {
    // a step killed because the daemon is shutting down is not the Dockerfile's fault
    await pingDaemon(docker, ctl.where, 3000).catch((e: DockerError) => {
      throw new DockerError('daemonDown', e.message, logLines.slice(-60).join('\n'), { cause: error });
    });
    const f = locateBuildFailure(logLines, error, ctl.dockerfileText);
    const file = ctl.dockerfileName ?? 'Dockerfile';
    const message =
      f.line !== undefined
        ? l10n.t('Docker build failed at {file} line {line} (step {step}): {error}. Fix that step and build again; its output is in the log.', { file, line: f.line, step: f.step ?? '?', error: error.trim() })
        : l10n.t('Docker build failed: {error}. Fix the Dockerfile and build again; the build output is in the log.', { error: error.trim() });
    throw new DockerError('buildFailed', message, f.output, { location: f.line !== undefined ? { file, line: f.line } : undefined });
  }
  if (!imageId) {
    const legacy = logLines.map((l) => /^Successfully built ([0-9a-f]+)/.exec(l)?.[1]).find(Boolean);
    if (!legacy) {
      // a stream that just stops usually means the daemon went away mid-build
      await pingDaemon(docker, ctl.where, 3000);
      throw new DockerError('buildFailed', l10n.t('Docker ended the build without an image id. Build again; if it repeats, restart Docker.'), logLines.slice(-60).join('\n'));
    }
    imageId = legacy;
  }
  return { imageId };
}

function cancelled(): DockerError {
  return new DockerError('cancelled', l10n.t('The image build was cancelled.'));
}

function requestError(e: unknown, where: string): DockerError {
  const err = e as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (err.statusCode === undefined) return dockerUnreachable(where, e);
  const text = err.json?.message ?? err.message ?? String(e);
  return new DockerError('api', l10n.t('Docker refused the build: {error}. Check the build options and the Dockerfile.', { error: text }), undefined, { cause: e });
}
