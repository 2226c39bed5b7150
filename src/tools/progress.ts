// gridcore_task_progress: done, total, in flight, rate and ETA of a task. While the status bar
// shows that task, its numbers are returned as they are; otherwise the same maths (the
// service's progress over samples kept per task) runs on fresh queue lengths, sampling up to
// four times a second apart when earlier calls left too few for a rate.
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import { RATE_WINDOW } from '../ui-model/progress-tracker';
import { taskQueueNames } from '../ui-model/task-queues';
import { progressText } from './format';
import { toolCluster, toolTask } from './targets';
import { CLUSTER_INPUT, type ToolSpec } from './kit';

const SAMPLE_GAP_MS = 1000;
const MAX_FRESH_SAMPLES = 4;

export const progressTool: ToolSpec<{ cluster?: string; task?: string }> = {
  name: 'gridcore_task_progress',
  title: 'Task Progress',
  description:
    "Reports a GridCore task's progress with the status bar's numbers: items done of the total, percent, items in flight, remaining, rate (items/s) and ETA, plus its input and output queue lengths. Use it to monitor a task after pushing data, instead of polling Redis; call it again to follow the task. It says when all items are done.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      task: { type: 'string', minLength: 1, description: 'Task name. Default: the running task.' },
    },
    additionalProperties: false,
  },
  effects: { readOnly: true, destructive: false, idempotent: true },
  async run(input, deps, signal) {
    const { service } = deps;
    const cluster = await toolCluster(service, input.cluster);
    const task = await toolTask(service, cluster, input.task);
    const totalFromPushed = task.record?.pushed !== undefined;
    const bar = deps.statusBarProgress();
    if (bar && bar.cluster === cluster && bar.task === task.name && task.state === 'running') {
      return progressText({ ...bar, totalFromPushed });
    }
    const q = await taskQueueNames(service, cluster, task);
    if (!q.input || !q.output) {
      throw new ConfigError('unknownQueue', l10n.t('The queues of task {0} are not known: the hub lists names only, and it was not registered from this editor.', task.name));
    }
    const queues = await service.queues(cluster);
    const key = `${cluster}\u0000${task.name}`;
    const sample = async () => {
      // The failed list's length in the same round trip: failed items count as ended.
      const { lengths: l, failed } = await queues.probe([q.input!, q.output!], [], [q.input!]);
      const f = failed?.[q.input!];
      const kept = [...(deps.samples.get(key) ?? []), { at: deps.now(), input: l[q.input!] ?? 0, output: l[q.output!] ?? 0, ...(f !== undefined && f >= 0 ? { failed: f } : {}) }].slice(-RATE_WINDOW);
      deps.samples.set(key, kept);
      return kept;
    };
    // The rate is measured over at least two poll intervals after the first (rate.ts): with no
    // earlier samples, take a few, a second apart, until it is or MAX_FRESH_SAMPLES were taken.
    // A finished task has no rate to wait for.
    let samples = await sample();
    const wanting = () => {
      const r = service.progress(task.record?.pushed, samples, { now: deps.now() });
      return r.rate === 0 && !r.finished;
    };
    for (let taken = 1; taken < MAX_FRESH_SAMPLES && wanting() && !signal.isCancellationRequested; taken++) {
      await deps.sleep(SAMPLE_GAP_MS);
      samples = await sample();
    }
    const last = samples[samples.length - 1];
    const report = service.progress(task.record?.pushed, samples, { now: deps.now() });
    return progressText({ cluster, task: task.name, report, input: last.input, output: last.output, inputQueue: q.input, outputQueue: q.output, totalFromPushed });
  },
};
