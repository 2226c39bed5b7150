// What the editor, the command line and the MCP server reach of the local cluster (the lazy
// bundle dist/local.js): the cluster itself (./cluster) and the detached supervised one that
// outlives whoever started it (./cluster/detached, which builds on ./cluster).
export * from './cluster';
export { checkStateFolder, localClusterStatus, startDetachedLocalCluster, stopAnyLocalCluster, type DetachedStart, type LocalClusterStatus } from './cluster/detached';
