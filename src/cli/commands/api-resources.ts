// `skiff api-resources`: the resource types the server serves (from discovery).
import type { Command } from '../command.js';
import { GET_TABS, tabwriteLines } from '../table.js';

export const apiResourcesCommand: Command = {
  name: 'api-resources',
  summary: 'List the resource types the server serves, with short names',
  usage: 'api-resources [--namespaced=true|false] [-o name]',
  flags: [{ name: 'namespaced', type: 'string', placeholder: 'true|false', description: 'only namespaced (true) or cluster-scoped (false) kinds' }],
  async run(ctx, flags) {
    const disc = await (await ctx.client()).discovery();
    const ns = flags.string('namespaced');
    const rows = disc.resources
      .filter((r) => r.preferred)
      .filter((r) => ns === undefined || String(r.namespaced) === ns)
      .sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
    if (ctx.globals.output === 'name') {
      for (const r of rows) ctx.out(`${r.group ? `${r.name}.${r.group}` : r.name}\n`);
      return 0;
    }
    const lines = [['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']];
    for (const r of rows) lines.push([r.name, r.shortNames.join(','), r.group ? `${r.group}/${r.version}` : r.version, String(r.namespaced), r.kind]);
    ctx.out(tabwriteLines(lines, GET_TABS).text);
    return 0;
  },
};
