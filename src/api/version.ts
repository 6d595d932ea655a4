// What Skiff reports as its own version (CLI `skiff version`, `/version`).
export const SKIFF_VERSION = '0.1.0';
// The Kubernetes version Skiff's API claims to speak, for kubectl's skew checks.
export const KUBE_COMPAT = { major: '1', minor: '29', gitVersion: 'v1.29.0-skiff' } as const;
