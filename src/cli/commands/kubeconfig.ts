// `skiff kubeconfig`: a kubeconfig pointing kubectl (and kn) at the running
// Skiff API: cluster, context and user all named `skiff`, namespace default.
import type { Command } from '../command.js';
import { toYaml } from '../output.js';

export function makeKubeconfig(server: string, namespace = 'default'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'skiff', cluster: { server } }],
    contexts: [{ name: 'skiff', context: { cluster: 'skiff', user: 'skiff', namespace } }],
    'current-context': 'skiff',
    users: [{ name: 'skiff', user: {} }],
    preferences: {},
  };
}

export const kubeconfigCommand: Command = {
  name: 'kubeconfig',
  summary: 'Print a kubeconfig for kubectl and kn pointing at the Skiff API',
  usage: 'kubeconfig [-n NAMESPACE]',
  examples: ['skiff kubeconfig > ~/.kube/skiff.yaml && KUBECONFIG=~/.kube/skiff.yaml kubectl get ksvc'],
  async run(ctx) {
    const ep = await ctx.endpoint();
    ctx.out(toYaml(makeKubeconfig(ep.url, ctx.namespace())));
    return 0;
  },
};
