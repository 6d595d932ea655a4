// OpenAPI schemas for the object shapes Skiff knows: ObjectMeta and the
// other meta.k8s.io types, and the core kinds' top levels (ConfigMap,
// Secret, Deployment, ...). Where a sub-tree is large and we do not describe
// every field (PodSpec, Service spec, statuses) it is marked
// `x-kubernetes-preserve-unknown-fields`, so strict field validation never
// rejects a valid manifest because our description is incomplete.
// Pure data builders, no I/O.

export type JsonSchema = Record<string, unknown>;

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
/** Kubernetes' v3 documents wrap references to add a description/default. */
const refd = (name: string, description: string): JsonSchema => ({ description, default: {}, allOf: [ref(name)] });

const str = (description: string): JsonSchema => ({ type: 'string', description });
const int = (description: string): JsonSchema => ({ type: 'integer', format: 'int32', description });
const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
const time = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const mapOfString = (description: string): JsonSchema => ({ type: 'object', description, additionalProperties: { type: 'string', default: '' } });
const listOf = (items: JsonSchema, description: string): JsonSchema => ({ type: 'array', description, items });
export const open = (description: string, properties: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  description,
  properties,
  'x-kubernetes-preserve-unknown-fields': true,
});
const closed = (description: string, properties: Record<string, JsonSchema>, required?: string[]): JsonSchema => ({
  type: 'object',
  description,
  properties,
  ...(required ? { required } : {}),
});

export function metaSchemas(): Record<string, JsonSchema> {
  return {
    [`${META}.ObjectMeta`]: closed('ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
      name: str('Name must be unique within a namespace.'),
      generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
      namespace: str('Namespace defines the space within which each name must be unique.'),
      selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      uid: str('UID is the unique in time and space value for this object. Populated by the system. Read-only.'),
      resourceVersion: str('An opaque value that represents the internal version of this object, used for optimistic concurrency and watches.'),
      generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
      creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
      deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate.' },
      labels: mapOfString('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
      annotations: mapOfString('Annotations is an unstructured key value map stored with a resource.'),
      ownerReferences: {
        ...listOf(refd(`${META}.OwnerReference`, 'OwnerReference'), 'List of objects depended by this object.'),
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['uid'],
      },
      finalizers: {
        ...listOf({ type: 'string', default: '' }, 'Must be empty before the object is deleted from the registry.'),
        'x-kubernetes-patch-strategy': 'merge',
        'x-kubernetes-list-type': 'set',
      },
      managedFields: listOf(open('ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.'), 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.'),
    }),
    [`${META}.OwnerReference`]: closed(
      'OwnerReference contains enough information to let you identify an owning object.',
      {
        apiVersion: str('API version of the referent.'),
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        uid: str('UID of the referent.'),
        controller: bool('If true, this reference points to the managing controller.'),
        blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
      },
      ['apiVersion', 'kind', 'name', 'uid'],
    ),
    [`${META}.ListMeta`]: closed('ListMeta describes metadata that synthetic resources must have.', {
      resourceVersion: str('String that identifies the server\'s internal version of this object.'),
      continue: str('continue may be set if the user set a limit on the number of items returned.'),
      remainingItemCount: { type: 'integer', format: 'int64', description: 'The number of subsequent items in the list which are not included in this list response.' },
      selfLink: str('Deprecated.'),
    }),
    [`${META}.Status`]: open('Status is a return value for calls that don\'t return other objects.', {
      apiVersion: str('APIVersion'),
      kind: str('Kind'),
      code: int('Suggested HTTP return code for this status, 0 if not set.'),
      message: str('A human-readable description of the status of this operation.'),
      reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
      status: str('Status of the operation. One of: "Success" or "Failure".'),
      details: open('Extended data associated with the reason.'),
      metadata: refd(`${META}.ListMeta`, 'Standard list metadata.'),
    }),
    [`${META}.DeleteOptions`]: open('DeleteOptions may be provided when deleting an API object.', {
      apiVersion: str('APIVersion'),
      kind: str('Kind'),
      dryRun: listOf({ type: 'string', default: '' }, 'When present, indicates that modifications should not be persisted.'),
      gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'The duration in seconds before the object should be deleted.' },
      preconditions: closed('Must be fulfilled before a deletion is carried out.', { resourceVersion: str('Specifies the target ResourceVersion'), uid: str('Specifies the target UID.') }),
      propagationPolicy: str('Whether and how garbage collection will be performed: Orphan, Background or Foreground.'),
      orphanDependents: bool('Deprecated: please use the PropagationPolicy.'),
    }),
    [`${META}.Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
    'io.k8s.api.autoscaling.v1.Scale': closed(
      'Scale represents a scaling request for a resource.',
      {
        apiVersion: str('APIVersion'),
        kind: str('Kind'),
        metadata: refd(`${META}.ObjectMeta`, 'Standard object metadata.'),
        spec: closed('ScaleSpec describes the attributes of a scale subresource.', { replicas: int('replicas is the desired number of instances for the scaled object.') }),
        status: closed('ScaleStatus represents the current status of a scale subresource.', {
          replicas: int('replicas is the actual number of observed instances of the scaled object.'),
          selector: str('selector is the label query over pods that should match the replicas count.'),
        }),
      },
    ),
  };
}

// ---------------------------------------------------------------- core kinds

const typeMeta = (): Record<string, JsonSchema> => ({
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
  metadata: refd(`${META}.ObjectMeta`, 'Standard object\'s metadata.'),
});

function labelSelector(): JsonSchema {
  return closed('A label selector is a label query over a set of resources.', {
    matchLabels: mapOfString('matchLabels is a map of {key,value} pairs.'),
    matchExpressions: listOf(
      closed('A label selector requirement.', { key: str('key is the label key that the selector applies to.'), operator: str('In, NotIn, Exists and DoesNotExist.'), values: listOf({ type: 'string', default: '' }, 'values') }, ['key', 'operator']),
      'matchExpressions is a list of label selector requirements.',
    ),
  });
}

function container(): JsonSchema {
  const o = (d: string) => open(d);
  return closed(
    'A single application container that you want to run within a pod.',
    {
      name: str('Name of the container specified as a DNS_LABEL.'),
      image: str('Container image name.'),
      command: listOf({ type: 'string', default: '' }, 'Entrypoint array.'),
      args: listOf({ type: 'string', default: '' }, 'Arguments to the entrypoint.'),
      workingDir: str("Container's working directory."),
      ports: listOf(
        closed('ContainerPort represents a network port in a single container.', {
          name: str('Name of the port.'),
          containerPort: int('Number of port to expose on the pod\'s IP address.'),
          protocol: str('Protocol for port. Must be UDP, TCP, or SCTP.'),
          hostPort: int('Number of port to expose on the host.'),
          hostIP: str('What host IP to bind the external port to.'),
        }),
        'List of ports to expose from the container.',
      ),
      envFrom: listOf(o('EnvFromSource represents the source of a set of ConfigMaps or Secrets.'), 'List of sources to populate environment variables in the container.'),
      env: listOf(
        closed('EnvVar represents an environment variable present in a Container.', { name: str('Name of the environment variable.'), value: str('Variable value.'), valueFrom: o('Source for the environment variable\'s value.') }, ['name']),
        'List of environment variables to set in the container.',
      ),
      resources: o('Compute Resources required by this container.'),
      resizePolicy: listOf(o('ContainerResizePolicy'), 'Resources resize policy for the container.'),
      restartPolicy: str('RestartPolicy defines the restart behavior of individual containers in a pod.'),
      volumeMounts: listOf(o('VolumeMount describes a mounting of a Volume within a container.'), 'Pod volumes to mount into the container\'s filesystem.'),
      volumeDevices: listOf(o('volumeDevice describes a mapping of a raw block device within a container.'), 'volumeDevices is the list of block devices to be used by the container.'),
      livenessProbe: o('Periodic probe of container liveness.'),
      readinessProbe: o('Periodic probe of container service readiness.'),
      startupProbe: o('StartupProbe indicates that the Pod has successfully initialized.'),
      lifecycle: o('Actions that the management system should take in response to container lifecycle events.'),
      terminationMessagePath: str('Path at which the file to which the container\'s termination message will be written is mounted.'),
      terminationMessagePolicy: str('Indicate how the termination message should be populated.'),
      imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent.'),
      securityContext: o('SecurityContext defines the security options the container should be run with.'),
      stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
      stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
      tty: bool('Whether this container should allocate a TTY for itself.'),
    },
    ['name'],
  );
}

function podSpec(): JsonSchema {
  return open('PodSpec is a description of a pod.', {
    containers: listOf(container(), 'List of containers belonging to the pod.'),
    initContainers: listOf(container(), 'List of initialization containers belonging to the pod.'),
    volumes: listOf(open('Volume represents a named volume in a pod.', { name: str('name of the volume.') }), 'List of volumes that can be mounted by containers belonging to the pod.'),
    restartPolicy: str('Restart policy for all containers within the pod. One of Always, OnFailure, Never.'),
    terminationGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Optional duration in seconds the pod needs to terminate gracefully.' },
    serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
    nodeSelector: mapOfString('NodeSelector is a selector which must be true for the pod to fit on a node.'),
    imagePullSecrets: listOf(open('LocalObjectReference', { name: str('Name of the referent.') }), 'ImagePullSecrets'),
  });
}

function podTemplateSpec(): JsonSchema {
  return closed('PodTemplateSpec describes the data a pod should have when created from a template.', {
    metadata: refd(`${META}.ObjectMeta`, 'Standard object\'s metadata.'),
    spec: podSpec(),
  });
}

/** Hand-described schemas for the core kinds, by group-resource key. */
export function coreKindSchema(gr: string): JsonSchema | undefined {
  switch (gr) {
    case 'core/namespaces':
      return closed('Namespace provides a scope for Names.', {
        ...typeMeta(),
        spec: closed('NamespaceSpec describes the attributes on a Namespace.', { finalizers: listOf({ type: 'string', default: '' }, 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.') }),
        status: open('NamespaceStatus is information about the current status of a Namespace.', { phase: str('Phase is the current lifecycle phase of the namespace.') }),
      });
    case 'core/configmaps':
      return closed('ConfigMap holds configuration data for pods to consume.', {
        ...typeMeta(),
        data: mapOfString('Data contains the configuration data.'),
        binaryData: mapOfString('BinaryData contains the binary data (base64).'),
        immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
      });
    case 'core/secrets':
      return closed('Secret holds secret data of a certain type.', {
        ...typeMeta(),
        data: mapOfString('Data contains the secret data, base64 encoded.'),
        stringData: mapOfString('stringData allows specifying non-binary secret data in string form. It is merged into the data field on write.'),
        type: str('Used to facilitate programmatic handling of secret data.'),
        immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
      });
    case 'core/services':
      return closed('Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.', {
        ...typeMeta(),
        spec: open('ServiceSpec describes the attributes that a user creates on a service.', {
          ports: listOf(open('ServicePort contains information on service\'s port.', { name: str('The name of this port within the service.'), port: int('The port that will be exposed by this service.'), targetPort: { 'x-kubernetes-int-or-string': true, description: 'Number or name of the port to access on the pods targeted by the service.' }, protocol: str('TCP, UDP or SCTP.') }), 'The list of ports that are exposed by this service.'),
          selector: mapOfString('Route service traffic to pods with label keys and values matching this selector.'),
          type: str('type determines how the Service is exposed.'),
          clusterIP: str('clusterIP is the IP address of the service.'),
        }),
        status: open('ServiceStatus represents the current status of a service.'),
      });
    case 'core/endpoints':
      return closed('Endpoints is a collection of endpoints that implement the actual service.', {
        ...typeMeta(),
        subsets: listOf(open('EndpointSubset is a group of addresses with a common set of ports.'), 'The set of all endpoints is the union of all subsets.'),
      });
    case 'core/pods':
      return closed('Pod is a collection of containers that can run on a host.', {
        ...typeMeta(),
        spec: podSpec(),
        status: open('PodStatus represents information about the status of a pod.'),
      });
    case 'core/events':
      return closed('Event is a report of an event somewhere in the cluster.', {
        ...typeMeta(),
        involvedObject: open('The object that this event is about.'),
        reason: str('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
        message: str('A human-readable description of the status of this operation.'),
        source: open('The component reporting this event.'),
        firstTimestamp: time('The time at which the event was first recorded.'),
        lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
        count: int('The number of times this event has occurred.'),
        type: str('Type of this event (Normal, Warning).'),
        eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
        series: open('Data about the Event series this event represents.'),
        action: str('What action was taken/failed regarding to the Regarding object.'),
        related: open('Optional secondary object for more complex actions.'),
        reportingComponent: str('Name of the controller that emitted this Event.'),
        reportingInstance: str('ID of the controller instance.'),
      });
    case 'apps/deployments':
      return closed('Deployment enables declarative updates for Pods and ReplicaSets.', {
        ...typeMeta(),
        spec: closed(
          'DeploymentSpec is the specification of the desired behavior of the Deployment.',
          {
            replicas: int('Number of desired pods. Defaults to 1.'),
            selector: labelSelector(),
            template: podTemplateSpec(),
            strategy: open('The deployment strategy to use to replace existing pods with new ones.', { type: str('Recreate or RollingUpdate.') }),
            minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready.'),
            revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback.'),
            paused: bool('Indicates that the deployment is paused.'),
            progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed.'),
          },
          ['selector', 'template'],
        ),
        status: open('DeploymentStatus is the most recently observed status of the Deployment.'),
      });
    case 'apps/replicasets':
      return closed('ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
        ...typeMeta(),
        spec: closed(
          'ReplicaSetSpec is the specification of a ReplicaSet.',
          {
            replicas: int('Replicas is the number of desired replicas.'),
            minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready.'),
            selector: labelSelector(),
            template: podTemplateSpec(),
          },
          ['selector'],
        ),
        status: open('ReplicaSetStatus represents the current status of a ReplicaSet.'),
      });
    default:
      return undefined;
  }
}

/** A permissive schema for kinds nobody described: known envelope, anything else allowed. */
export function genericKindSchema(kind: string, apiVersion: string): JsonSchema {
  return {
    ...open(`${kind} (${apiVersion}) served by Skiff.`, {
      ...typeMeta(),
      spec: open(`Desired state of the ${kind}.`),
      status: open(`Observed state of the ${kind}.`),
    }),
  };
}
