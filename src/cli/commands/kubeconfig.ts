// `skiff kubeconfig`: a kubeconfig pointing kubectl (and kn) at the running
// Skiff API: cluster, context and user all named `skiff`, namespace default
// (or -n). The document itself comes from the API server's module so the
// CLI and the server never disagree on it.
import { KubeconfigError, makeKubeconfig } from '../../apiserver/kubeconfig.js';
import type { Command } from '../command.js';
import { UserError } from '../errors.js';

export const kubeconfigCommand: Command = {
  name: 'kubeconfig',
  summary: 'Print a kubeconfig for kubectl and kn pointing at the Skiff API',
  usage: 'kubeconfig [-n NAMESPACE]',
  examples: ['skiff kubeconfig > ~/.kube/skiff.yaml && KUBECONFIG=~/.kube/skiff.yaml kubectl get ksvc'],
  async run(ctx) {
    const ep = await ctx.endpoint();
    try {
      ctx.out(makeKubeconfig(ep.url, ctx.namespace()));
    } catch (e) {
      if (e instanceof KubeconfigError) throw new UserError(e.message, e.code);
      throw e;
    }
    return 0;
  },
};
