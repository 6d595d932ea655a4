// A small Go text/template interpreter for config-network's `domain-template`
// and `tag-template`, which users copy from Knative's docs and expect to
// work unchanged, e.g.
//   {{.Name}}.{{.Namespace}}.{{.Domain}}
//   {{.Name}}-{{.Namespace}}.{{ index .Annotations "sub" }}.{{.Domain}}
//   {{if index .Labels "app"}}{{index .Labels "app"}}{{else}}{{.Name}}{{end}}.{{.Domain}}
//
// Hand-written because no JS library implements Go's template language and
// we need its exact output for these (tiny) templates. Supported: text,
// `{{- -}}` trimming, comments, field chains on the data and on maps, string /
// raw-string / number / bool literals, parenthesised pipelines, `|` pipes,
// `if` / `else if` / `else` / `with` / `end`, and the builtins and, or, not,
// eq, ne, lt, le, gt, ge, index, len, print, printf. Deliberately not
// supported (clear error at parse time): range, variables, define/template/block.
// Go's observable behaviour kept: a missing map key read as a field prints
// "<no value>"; `index` on a missing key gives ""; unknown fields of the data
// are an execution error.

const NO_VALUE: unique symbol = Symbol('no value');
type MapValue = { readonly __map: true; readonly entries: Readonly<Record<string, string>> };
type StructValue = { readonly __struct: string; readonly fields: Readonly<Record<string, unknown>> };
type Value = string | number | boolean | null | typeof NO_VALUE | MapValue | StructValue;

/** Why a template did not parse or execute. `code` is stable. */
export class GoTemplateError extends Error {
  readonly code = 'SKIFF_ERR_TEMPLATE';
  constructor(
    readonly templateName: string,
    message: string,
  ) {
    super(`template: ${templateName}: ${message}`);
    this.name = 'GoTemplateError';
  }
}

export interface CompiledGoTemplate {
  readonly name: string;
  readonly source: string;
  /**
   * Run with `data`: string fields are strings, map fields (Annotations,
   * Labels) are string records (undefined = nil map). `typeName` names the
   * data type in "can't evaluate field" errors.
   */
  execute(data: Record<string, string | Record<string, string> | undefined>, typeName?: string): string;
}

// ---- lexing ----

type Tok =
  | { t: 'field'; path: string[] } // `.A.B`; [] is the dot itself
  | { t: 'ident'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'pipe' }
  | { t: 'lparen' }
  | { t: 'rparen' };

type Piece = { kind: 'text'; text: string } | { kind: 'action'; toks: Tok[] };

function splitPieces(name: string, src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    trimNextText = false;
    if (open < 0) {
      if (text) pieces.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) pieces.push({ kind: 'text', text });
    const close = findClose(name, src, start);
    let end = close;
    if (close - 2 >= start && src[close - 1] === '-' && /\s/.test(src[close - 2])) {
      end = close - 1;
      trimNextText = true;
    }
    const body = src.slice(start, end).trim();
    i = close + 2;
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw new GoTemplateError(name, 'unclosed comment');
      continue;
    }
    pieces.push({ kind: 'action', toks: lexAction(name, body) });
  }
  return pieces;
}

/** Index of the `}}` closing an action opened before `from`, skipping quoted strings. */
function findClose(name: string, src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) throw new GoTemplateError(name, 'unterminated quoted string');
      i++;
      continue;
    }
    if (c === '`') {
      const e = src.indexOf('`', i + 1);
      if (e < 0) throw new GoTemplateError(name, 'unterminated raw quoted string');
      i = e + 1;
      continue;
    }
    if (c === '}' && src[i + 1] === '}') return i;
    i++;
  }
  throw new GoTemplateError(name, 'unclosed action');
}

function lexAction(name: string, s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const identRe = /[A-Za-z_][A-Za-z0-9_]*/y;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '|') {
      toks.push({ t: 'pipe' });
      i++;
    } else if (c === '(') {
      toks.push({ t: 'lparen' });
      i++;
    } else if (c === ')') {
      toks.push({ t: 'rparen' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      const raw = s.slice(i, j + 1);
      try {
        toks.push({ t: 'str', v: JSON.parse(raw) as string });
      } catch {
        throw new GoTemplateError(name, `bad quoted string ${raw}`);
      }
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      toks.push({ t: 'str', v: s.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '.') {
      const path: string[] = [];
      i++;
      for (;;) {
        identRe.lastIndex = i;
        const m = identRe.exec(s);
        if (!m) break;
        path.push(m[0]);
        i += m[0].length;
        if (s[i] === '.' && /[A-Za-z_]/.test(s[i + 1] ?? '')) i++;
        else break;
      }
      toks.push({ t: 'field', path });
    } else if (c === '$') {
      throw new GoTemplateError(name, 'variables ($) are not supported in Skiff domain/tag templates');
    } else if (/[0-9-]/.test(c)) {
      const m = /-?\d+(\.\d+)?/y;
      m.lastIndex = i;
      const r = m.exec(s);
      if (!r) throw new GoTemplateError(name, `unexpected "${c}" in command`);
      toks.push({ t: 'num', v: Number(r[0]) });
      i += r[0].length;
    } else {
      identRe.lastIndex = i;
      const m = identRe.exec(s);
      if (!m) throw new GoTemplateError(name, `unexpected "${c}" in command`);
      i += m[0].length;
      if (m[0] === 'true' || m[0] === 'false') toks.push({ t: 'bool', v: m[0] === 'true' });
      else if (m[0] === 'nil') toks.push({ t: 'nil' });
      else toks.push({ t: 'ident', v: m[0] });
    }
  }
  return toks;
}

// ---- parsing ----

type Operand = { k: 'field'; path: string[] } | { k: 'lit'; v: Value } | { k: 'fn'; name: string } | { k: 'sub'; pipe: Pipeline };
type Command = Operand[];
type Pipeline = Command[];
type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipeline }
  | { n: 'if' | 'with'; pipe: Pipeline; then: Node[]; else: Node[] };

const FUNCS = new Set(['and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'index', 'len', 'print', 'printf']);
const UNSUPPORTED = new Set(['range', 'define', 'template', 'block', 'break', 'continue']);

function parsePipeline(name: string, toks: Tok[]): Pipeline {
  let pos = 0;
  const parsePipe = (inParen: boolean): Pipeline => {
    const pipe: Pipeline = [];
    let cmd: Command = [];
    while (pos < toks.length) {
      const tk = toks[pos];
      if (tk.t === 'rparen') {
        if (!inParen) throw new GoTemplateError(name, 'unexpected right paren');
        break;
      }
      pos++;
      switch (tk.t) {
        case 'pipe':
          if (!cmd.length) throw new GoTemplateError(name, 'missing command before |');
          pipe.push(cmd);
          cmd = [];
          break;
        case 'lparen': {
          const sub = parsePipe(true);
          if (toks[pos]?.t !== 'rparen') throw new GoTemplateError(name, 'unclosed left paren');
          pos++;
          cmd.push({ k: 'sub', pipe: sub });
          break;
        }
        case 'field':
          cmd.push({ k: 'field', path: tk.path });
          break;
        case 'str':
        case 'num':
        case 'bool':
          cmd.push({ k: 'lit', v: tk.v });
          break;
        case 'nil':
          cmd.push({ k: 'lit', v: null });
          break;
        case 'ident':
          if (!FUNCS.has(tk.v)) throw new GoTemplateError(name, `function "${tk.v}" not defined`);
          cmd.push({ k: 'fn', name: tk.v });
          break;
      }
    }
    if (!cmd.length) throw new GoTemplateError(name, pipe.length ? 'missing command after |' : 'missing value for command');
    pipe.push(cmd);
    return pipe;
  };
  const p = parsePipe(false);
  if (pos < toks.length) throw new GoTemplateError(name, 'unexpected right paren');
  return p;
}

function parseTree(name: string, pieces: Piece[]): Node[] {
  let pos = 0;
  // Returns the nodes of a list and the keyword that ended it ('end' / 'else' with its tokens, or EOF).
  const parseList = (): { nodes: Node[]; ender?: { kw: 'end' | 'else'; rest: Tok[] } } => {
    const nodes: Node[] = [];
    while (pos < pieces.length) {
      const p = pieces[pos++];
      if (p.kind === 'text') {
        nodes.push({ n: 'text', text: p.text });
        continue;
      }
      const [first, ...rest] = p.toks;
      if (!first) throw new GoTemplateError(name, 'missing value for command');
      if (first.t === 'ident' && UNSUPPORTED.has(first.v)) throw new GoTemplateError(name, `"${first.v}" is not supported in Skiff domain/tag templates`);
      if (first.t === 'ident' && (first.v === 'end' || first.v === 'else')) return { nodes, ender: { kw: first.v, rest } };
      if (first.t === 'ident' && (first.v === 'if' || first.v === 'with')) {
        nodes.push(parseControl(first.v, rest));
        continue;
      }
      nodes.push({ n: 'action', pipe: parsePipeline(name, p.toks) });
    }
    return { nodes };
  };
  const parseControl = (kind: 'if' | 'with', condToks: Tok[]): Node => {
    if (!condToks.length) throw new GoTemplateError(name, `missing value for ${kind}`);
    const pipe = parsePipeline(name, condToks);
    const body = parseList();
    if (!body.ender) throw new GoTemplateError(name, `unexpected EOF: {{${kind}}} without {{end}}`);
    if (body.ender.kw === 'end') {
      if (body.ender.rest.length) throw new GoTemplateError(name, 'unexpected tokens after end');
      return { n: kind, pipe, then: body.nodes, else: [] };
    }
    const rest = body.ender.rest;
    if (rest.length && rest[0].t === 'ident' && (rest[0].v === 'if' || rest[0].v === 'with')) {
      // `else if` / `else with`: the nested control shares our {{end}}.
      const nested = parseControl(rest[0].v, rest.slice(1));
      return { n: kind, pipe, then: body.nodes, else: [nested] };
    }
    if (rest.length) throw new GoTemplateError(name, 'unexpected tokens after else');
    const elseBody = parseList();
    if (!elseBody.ender || elseBody.ender.kw !== 'end') throw new GoTemplateError(name, `unexpected EOF: {{else}} without {{end}}`);
    return { n: kind, pipe, then: body.nodes, else: elseBody.nodes };
  };
  const top = parseList();
  if (top.ender) throw new GoTemplateError(name, `unexpected {{${top.ender.kw}}}`);
  return top.nodes;
}

// ---- execution ----

function isMap(v: Value): v is MapValue {
  return typeof v === 'object' && v !== null && '__map' in v;
}
function isStruct(v: Value): v is StructValue {
  return typeof v === 'object' && v !== null && '__struct' in v;
}

function truthy(v: Value): boolean {
  if (v === NO_VALUE || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (isMap(v)) return Object.keys(v.entries).length > 0;
  return true;
}

function show(v: Value): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isMap(v)) {
    const keys = Object.keys(v.entries).sort();
    return `map[${keys.map((k) => `${k}:${v.entries[k]}`).join(' ')}]`;
  }
  return `{${Object.values(v.fields)
    .map((f) => show(toValue(f)))
    .join(' ')}}`;
}

function toValue(x: unknown): Value {
  if (x === undefined) return { __map: true, entries: {} };
  if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return x;
  return { __map: true, entries: x as Record<string, string> };
}

function sprintf(name: string, format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([svdq%])/g, (m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    if (verb === 'q') return JSON.stringify(show(a));
    if (verb === 'd') {
      if (typeof a !== 'number') throw new GoTemplateError(name, `printf %d needs a number, got ${JSON.stringify(show(a))}`);
      return String(Math.trunc(a));
    }
    return show(a);
  });
}

function basicKind(v: Value): 'string' | 'number' | 'bool' | 'nil' | 'other' {
  if (v === null) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}

function callFn(name: string, fn: string, args: Value[]): Value {
  const need = (n: number) => {
    if (args.length < n) throw new GoTemplateError(name, `wrong number of args for ${fn}: want at least ${n} got ${args.length}`);
  };
  const cmp = (a: Value, b: Value): number => {
    const ka = basicKind(a);
    if (ka === 'other' || ka !== basicKind(b)) throw new GoTemplateError(name, `error calling ${fn}: incompatible types for comparison`);
    if (ka === 'nil') return 0;
    return (a as string | number | boolean) < (b as string | number | boolean) ? -1 : (a as string | number | boolean) > (b as string | number | boolean) ? 1 : 0;
  };
  switch (fn) {
    case 'and': {
      need(1);
      for (const a of args) if (!truthy(a)) return a;
      return args[args.length - 1];
    }
    case 'or': {
      need(1);
      for (const a of args) if (truthy(a)) return a;
      return args[args.length - 1];
    }
    case 'not':
      if (args.length !== 1) throw new GoTemplateError(name, `wrong number of args for not: want 1 got ${args.length}`);
      return !truthy(args[0]);
    case 'eq':
      need(2);
      return args.slice(1).some((b) => cmp(args[0], b) === 0);
    case 'ne':
      if (args.length !== 2) throw new GoTemplateError(name, `wrong number of args for ne: want 2 got ${args.length}`);
      return cmp(args[0], args[1]) !== 0;
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      if (args.length !== 2) throw new GoTemplateError(name, `wrong number of args for ${fn}: want 2 got ${args.length}`);
      const c = cmp(args[0], args[1]);
      return fn === 'lt' ? c < 0 : fn === 'le' ? c <= 0 : fn === 'gt' ? c > 0 : c >= 0;
    }
    case 'index': {
      need(1);
      let cur = args[0];
      for (const key of args.slice(1)) {
        if (isMap(cur)) {
          if (typeof key !== 'string') throw new GoTemplateError(name, 'error calling index: map key must be a string');
          cur = Object.prototype.hasOwnProperty.call(cur.entries, key) ? cur.entries[key] : '';
        } else if (typeof cur === 'string') {
          if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= cur.length)
            throw new GoTemplateError(name, `error calling index: index out of range: ${show(key)}`);
          cur = cur.charCodeAt(key);
        } else {
          throw new GoTemplateError(name, `error calling index: can't index item of type ${basicKind(cur)}`);
        }
      }
      return cur;
    }
    case 'len': {
      if (args.length !== 1) throw new GoTemplateError(name, `wrong number of args for len: want 1 got ${args.length}`);
      const a = args[0];
      if (typeof a === 'string') return a.length;
      if (isMap(a)) return Object.keys(a.entries).length;
      throw new GoTemplateError(name, `error calling len: len of type ${basicKind(a)}`);
    }
    case 'print': {
      // fmt.Sprint: spaces between operands when neither side is a string.
      let out = '';
      args.forEach((a, i) => {
        if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
        out += show(a);
      });
      return out;
    }
    case 'printf': {
      need(1);
      if (typeof args[0] !== 'string') throw new GoTemplateError(name, 'printf: format must be a string');
      return sprintf(name, args[0], args.slice(1));
    }
  }
  throw new GoTemplateError(name, `function "${fn}" not defined`);
}

class Executor {
  constructor(private readonly name: string) {}

  field(dot: Value, path: string[]): Value {
    let cur = dot;
    for (const f of path) {
      if (isStruct(cur)) {
        if (!Object.prototype.hasOwnProperty.call(cur.fields, f)) throw new GoTemplateError(this.name, `can't evaluate field ${f} in type ${cur.__struct}`);
        cur = toValue(cur.fields[f]);
      } else if (isMap(cur)) {
        cur = Object.prototype.hasOwnProperty.call(cur.entries, f) ? cur.entries[f] : NO_VALUE;
      } else if (cur === NO_VALUE || cur === null) {
        throw new GoTemplateError(this.name, `nil pointer evaluating .${f}`);
      } else {
        throw new GoTemplateError(this.name, `can't evaluate field ${f} in type ${basicKind(cur)}`);
      }
    }
    return cur;
  }

  operand(dot: Value, op: Operand): Value {
    switch (op.k) {
      case 'field':
        return this.field(dot, op.path);
      case 'lit':
        return op.v;
      case 'sub':
        return this.pipeline(dot, op.pipe);
      case 'fn':
        return callFn(this.name, op.name, []);
    }
  }

  pipeline(dot: Value, pipe: Pipeline): Value {
    let prev: Value | undefined;
    for (const cmd of pipe) {
      const [head, ...rest] = cmd;
      if (head.k === 'fn') {
        const args = rest.map((o) => this.operand(dot, o));
        if (prev !== undefined) args.push(prev);
        prev = callFn(this.name, head.name, args);
      } else {
        if (rest.length || prev !== undefined) throw new GoTemplateError(this.name, `can't give argument to non-function ${describe(head)}`);
        prev = this.operand(dot, head);
      }
    }
    return prev as Value;
  }

  run(nodes: Node[], dot: Value, out: string[]): void {
    for (const node of nodes) {
      switch (node.n) {
        case 'text':
          out.push(node.text);
          break;
        case 'action':
          out.push(show(this.pipeline(dot, node.pipe)));
          break;
        case 'if':
        case 'with': {
          const v = this.pipeline(dot, node.pipe);
          if (truthy(v)) this.run(node.then, node.n === 'with' ? v : dot, out);
          else this.run(node.else, dot, out);
          break;
        }
      }
    }
  }
}

function describe(op: Operand): string {
  if (op.k === 'field') return '.' + op.path.join('.');
  if (op.k === 'lit') return show(op.v);
  return '(...)';
}

/** Parse once; throws GoTemplateError with Go-like messages on bad syntax. */
export function parseGoTemplate(name: string, source: string): CompiledGoTemplate {
  const tree = parseTree(name, splitPieces(name, source));
  return Object.freeze({
    name,
    source,
    execute(data: Record<string, string | Record<string, string> | undefined>, typeName = 'data'): string {
      const out: string[] = [];
      new Executor(name).run(tree, { __struct: typeName, fields: data }, out);
      return out.join('');
    },
  });
}
