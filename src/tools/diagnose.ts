// gridcore_diagnose_cluster: the findings of Diagnose Cluster, with the same advice.
import { adviceFor, checkTitle } from '../ui-model/diagnosis-report';
import { diagnosisText } from './format';
import { toolCluster } from './targets';
import { CLUSTER_INPUT, type ToolSpec } from './kit';

export const diagnoseTool: ToolSpec<{ cluster?: string }> = {
  name: 'gridcore_diagnose_cluster',
  title: 'Diagnose Cluster',
  description:
    'Checks a GridCore cluster step by step (hub /health, the token, Redis PING and its password, the queue lengths, the nodes) and maps each failure to its fix (NOAUTH: Redis password mismatch; 401: wrong token; refused: not started; node Error: image or Redis URL). Use it when something fails or a task makes no progress.',
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
    },
    additionalProperties: false,
  },
  effects: { readOnly: true, destructive: false, idempotent: true },
  async run(input, deps) {
    const cluster = await toolCluster(deps.service, input.cluster);
    const checks = await deps.service.diagnose(cluster);
    return diagnosisText(cluster, checks, adviceFor, checkTitle);
  },
};
