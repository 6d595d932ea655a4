// The seam between the node agent's log files and `kubectl logs` (the HTTP
// API's pods/log subresource calls this). Structurally identical to the
// interface the HTTP server declares, so either side can own the import.
//
// Errors: ApiError 404 when the pod or the named container does not exist,
// 400 when the pod has several containers and none is named, when the
// container has not started yet, or when `previous` is asked for a container
// that has not restarted.
export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  sinceSeconds?: number;
  timestamps?: boolean;
}

export interface PodLogSource {
  read(namespace: string, pod: string, opts: PodLogOptions, out: NodeJS.WritableStream, signal: AbortSignal): Promise<void>;
}
