// The `yaml` package, loaded on first use: it costs ~30 ms to load, and most
// CLI runs (tables, `--help`, kn-style output) never parse or print YAML.
// Synchronous (createRequire) so toYaml() stays a plain function; `yaml`'s
// Node entry is CommonJS, so this is the same module instance `import` gives.
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

let mod: typeof YamlModule | undefined;

export function yaml(): typeof YamlModule {
  return (mod ??= createRequire(import.meta.url)('yaml') as typeof YamlModule);
}
