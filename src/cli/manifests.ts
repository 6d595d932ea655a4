// Reading manifests for `skiff apply -f`: files, directories (*.yaml, *.yml,
// *.json, not recursive, sorted) and stdin (`-`); multi-document YAML, JSON,
// and `List` kinds flattened to their items. Errors name the file and line.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { KObject } from '../api/meta.js';
import { ManifestError } from './errors.js';
import { yaml } from './lazy-yaml.js';

export interface Manifest {
  object: KObject;
  /** Where it came from, for messages: `hello.yaml` or `-` (stdin). */
  source: string;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function looksLikeJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

function parseJson(text: string, source: string): unknown[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [v];
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = m ? lineColumn(text, Number(m[1])) : undefined;
    const why = (e as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new ManifestError(
      `error parsing ${source}: ${at ? `line ${at.line}, column ${at.column}: ` : ''}${why}`,
      source,
      at?.line,
      at?.column,
    );
  }
}

function parseYaml(text: string, source: string): unknown[] {
  const docs = yaml().parseAllDocuments(text, { prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const at = lineColumn(text, err.pos[0]);
      throw new ManifestError(`error parsing ${source}: line ${at.line}, column ${at.column}: ${err.message}`, source, at.line, at.column);
    }
    out.push(doc.toJS({ maxAliasCount: 100 }));
  }
  return out;
}

/** Parse one file's text into objects (empty documents dropped, Lists flattened). */
export function parseManifests(text: string, source: string): Manifest[] {
  let values: unknown[];
  if (source.endsWith('.json')) values = parseJson(text, source);
  else if (looksLikeJson(text)) {
    // Probably JSON; YAML flow style (`{a: 1}`) is valid too, so fall back to the YAML parser.
    try {
      values = parseJson(text, source);
    } catch {
      values = parseYaml(text, source);
    }
  } else values = parseYaml(text, source);
  const out: Manifest[] = [];
  const add = (v: unknown, where: string) => {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) throw new ManifestError(`error validating ${where}: expected an object, got ${Array.isArray(v) ? 'a list' : typeof v}`, source);
    const o = v as KObject;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((item: unknown, i: number) => add(item, `${where} (item ${i})`));
      return;
    }
    const missing = [!o.apiVersion && 'apiVersion not set', !o.kind && 'kind not set'].filter(Boolean);
    if (missing.length) throw new ManifestError(`error validating ${where}: ${missing.join(', ')}`, source);
    if (o.metadata === undefined || o.metadata === null) o.metadata = {};
    if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) throw new ManifestError(`error validating ${where}: metadata must be an object`, source);
    out.push({ object: o, source });
  };
  values.forEach((v, i) => add(v, values.length > 1 ? `"${source}" (document ${i + 1})` : `"${source}"`));
  return out;
}

export interface ManifestReader {
  stdin: AsyncIterable<string | Uint8Array>;
  cwd: string;
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** Load every `-f` argument in order. */
export async function loadManifests(paths: string[], io: ManifestReader): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseManifests(await readAll(io.stdin), '-'));
      continue;
    }
    const full = resolve(io.cwd, p);
    let st;
    try {
      st = await stat(full);
    } catch {
      throw new ManifestError(`the path "${p}" does not exist`, p);
    }
    const files = st.isDirectory()
      ? (await readdir(full))
          .filter((n) => MANIFEST_EXTENSIONS.has(extname(n).toLowerCase()))
          .sort()
          .map((n) => ({ full: join(full, n), shown: join(p, n) }))
      : [{ full, shown: p }];
    for (const f of files) {
      let text: string;
      try {
        text = await readFile(f.full, 'utf8');
      } catch (e) {
        throw new ManifestError(`cannot read "${f.shown}": ${(e as Error).message}`, f.shown);
      }
      out.push(...parseManifests(text, f.shown));
    }
  }
  return out;
}
