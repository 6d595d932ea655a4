import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTemplateError, parseGoTemplate } from './go-template.js';

const data = { Name: 'hello', Namespace: 'default', Domain: 'example.com', Annotations: { sub: 'foo' }, Labels: { app: 'web' } };
const run = (src: string, d: Record<string, string | Record<string, string> | undefined> = data) => parseGoTemplate('t', src).execute(d, 'config.DomainTemplateValues');

describe('Go template subset', () => {
  test('the default domain and tag templates', () => {
    assert.equal(run('{{.Name}}.{{.Namespace}}.{{.Domain}}'), 'hello.default.example.com');
    assert.equal(parseGoTemplate('tag', '{{.Tag}}-{{.Name}}').execute({ Name: 'hello', Tag: 'staging' }), 'staging-hello');
  });

  test("the docs' examples: index on Annotations, Name-Namespace, spaces inside actions", () => {
    assert.equal(run('{{.Name}}-{{.Namespace}}.{{ index .Annotations "sub"}}.{{.Domain}}'), 'hello-default.foo.example.com');
    assert.equal(run('{{ .Name }}.{{ .Domain }}'), 'hello.example.com');
  });

  test('map field access: present key, missing key prints <no value>, index of missing key is empty', () => {
    assert.equal(run('{{.Labels.app}}'), 'web');
    assert.equal(run('{{.Labels.nope}}'), '<no value>');
    assert.equal(run('[{{index .Labels "nope"}}]'), '[]');
    assert.equal(run('{{.Annotations.sub}}', { ...data, Annotations: undefined }), '<no value>', 'nil map');
  });

  test('if / else if / else / with, and the comparison builtins', () => {
    const t = '{{if index .Annotations "sub"}}{{index .Annotations "sub"}}{{else}}{{.Name}}{{end}}.{{.Domain}}';
    assert.equal(run(t), 'foo.example.com');
    assert.equal(run(t, { ...data, Annotations: {} }), 'hello.example.com');
    assert.equal(run('{{if eq .Namespace "prod"}}p{{else if eq .Namespace "default" "dev"}}d{{else}}x{{end}}'), 'd');
    assert.equal(run('{{with .Labels.app}}{{.}}-{{end}}{{.Name}}'), 'web-hello');
    assert.equal(run('{{if and .Name (not .Labels.nope)}}yes{{end}}'), 'yes');
    assert.equal(run('{{if ne .Name "hello"}}a{{else}}b{{end}}'), 'b');
    assert.equal(run('{{len .Name}}'), '5');
  });

  test('pipelines, printf and trim markers', () => {
    assert.equal(run('{{.Name | printf "%s-x"}}'), 'hello-x');
    assert.equal(run('{{printf "%s.%s" .Name .Domain}}'), 'hello.example.com');
    assert.equal(run('{{.Name}}  {{- "." -}}  {{.Domain}}'), 'hello.example.com');
    assert.equal(run('{{/* a comment */}}{{.Name}}'), 'hello');
    assert.equal(run('{{`raw`}}'), 'raw');
  });

  test('errors name the problem: unknown field, unknown function, unsupported actions, bad syntax', () => {
    assert.throws(() => run('{{.Nope}}'), /can't evaluate field Nope in type config.DomainTemplateValues/);
    assert.throws(() => run('{{lower .Name}}'), (e: unknown) => e instanceof GoTemplateError && e.code === 'SKIFF_ERR_TEMPLATE' && /function "lower" not defined/.test(e.message));
    assert.throws(() => run('{{range .Labels}}x{{end}}'), /"range" is not supported/);
    assert.throws(() => run('{{$x := .Name}}'), /variables/);
    assert.throws(() => run('{{.Name'), /unclosed action/);
    assert.throws(() => run('{{if .Name}}x'), /without \{\{end\}\}/);
    assert.throws(() => run('x{{end}}'), /unexpected \{\{end\}\}/);
    assert.throws(() => run('{{eq .Labels "x"}}'), /incompatible types for comparison/);
  });
});
