// The KIngress of a DomainMapping (domainmapping/resources/ingress.go): one
// ExternalIP rule for the mapped domain that rewrites Host to the target's
// cluster-local host, sends 100 % to the target's Service in the same
// namespace and tells the workload the original host (K-Original-Host). Pure.
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import { INGRESS_API_VERSION, INGRESS_KIND, NET, ORIGINAL_HOST_HEADER, type HTTPOption, type IngressTLS, type KIngress } from '../../ingress/types.js';
import { ingressAnnotations } from '../../route/resources/ingress.js';
import { childName } from '../../route/resources/names.js';

export interface DomainMappingIngressInput {
  /** Service the mapped traffic goes to (`{name}` of `{name}.{ns}.svc.cluster.local`). */
  backendServiceName: string;
  /** Host the request is rewritten to (the target's cluster-local host). */
  targetHost: string;
  ingressClass: string;
  httpOption?: HTTPOption;
  tls?: IngressTLS[];
}

export function domainMappingIngressName(dm: KObject): string {
  return childName(dm.metadata.name!, '');
}

export function makeDomainMappingIngress(dm: KObject, input: DomainMappingIngressInput): KIngress {
  const ns = dm.metadata.namespace!;
  const domain = dm.metadata.name!;
  const spec: KIngress['spec'] = {
    rules: [
      {
        hosts: [domain],
        visibility: 'ExternalIP',
        http: {
          paths: [
            {
              rewriteHost: input.targetHost,
              splits: [
                {
                  serviceNamespace: ns,
                  serviceName: input.backendServiceName,
                  servicePort: 80,
                  percent: 100,
                  appendHeaders: { [ORIGINAL_HOST_HEADER]: domain },
                },
              ],
            },
          ],
        },
      },
    ],
  };
  if (input.httpOption) spec.httpOption = input.httpOption;
  if (input.tls?.length) spec.tls = input.tls;
  return {
    apiVersion: INGRESS_API_VERSION,
    kind: INGRESS_KIND,
    metadata: {
      name: domainMappingIngressName(dm),
      namespace: ns,
      labels: { ...(dm.metadata.labels ?? {}), [L.domainMappingUID]: dm.metadata.uid!, [L.domainMappingNamespace]: ns },
      annotations: ingressAnnotations({ [NET.ingressClass]: input.ingressClass }, dm.metadata.annotations),
      ownerReferences: [makeOwnerRef(dm)],
    },
    spec,
  };
}
