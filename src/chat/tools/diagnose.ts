// gridcore_diagnose_cluster: the findings of Diagnose Cluster, with the same advice.
import { adviceFor, checkTitle } from '../../ui-model/diagnosis-report';
import { diagnosisText } from '../format';
import { toolCluster } from '../targets';
import type { ToolSpec } from './kit';

export const diagnoseTool: ToolSpec<{ cluster?: string }> = {
  name: 'gridcore_diagnose_cluster',
  async run(input, deps) {
    const cluster = await toolCluster(deps.service, input.cluster);
    const checks = await deps.service.diagnose(cluster);
    return diagnosisText(cluster, checks, adviceFor, checkTitle);
  },
};
