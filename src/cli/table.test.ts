import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DESCRIBE_TABS, GET_TABS, renderTable, StreamingTable, tableCells, tabwrite, type Table } from './table.js';

describe('tabwrite (Go text/tabwriter semantics)', () => {
  test('kubectl get pods layout: 3 spaces between columns, min width 6, last column unpadded', () => {
    const out = tabwrite('NAME\tREADY\tSTATUS\tRESTARTS\tAGE\nclient\t1/1\tRunning\t1 (57m ago)\t68m\nhello-world-deployment-5777cff46c-pzc2m\t2/2\tTerminating\t0\t82s\n', GET_TABS);
    assert.equal(
      out,
      [
        'NAME                                      READY   STATUS        RESTARTS      AGE',
        'client                                    1/1     Running       1 (57m ago)   68m',
        'hello-world-deployment-5777cff46c-pzc2m   2/2     Terminating   0             82s',
        '',
      ].join('\n'),
    );
  });

  test('short columns are padded to the minimum width', () => {
    assert.equal(tabwrite('A\tB\nx\ty\n', GET_TABS), 'A     B\nx     y\n');
  });

  test('column blocks end at lines without that column', () => {
    const out = tabwrite('Name:\tx\nAnnotations:\ta\nSpec:\n  Image:\tb\n', DESCRIBE_TABS);
    assert.equal(out, 'Name:         x\nAnnotations:  a\nSpec:\n  Image:  b\n');
  });

  test('multi-byte cells count characters, not bytes', () => {
    assert.equal(tabwrite('ÅÄÖ\tx\nab\ty\n', GET_TABS), 'ÅÄÖ   x\nab    y\n');
  });
});

const podTable: Table = {
  kind: 'Table',
  columnDefinitions: [
    { name: 'Name', type: 'string', format: 'name' },
    { name: 'Ready', type: 'string' },
    { name: 'Status', type: 'string' },
    { name: 'Age', type: 'string' },
    { name: 'IP', type: 'string', priority: 1 },
  ],
  rows: [
    { cells: ['web-1', '1/1', 'Running', '5m', '127.0.0.1'], object: { metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web' } } } },
    { cells: ['job', '0/1', 'Completed', '10s', null], object: { metadata: { name: 'job', namespace: 'default' } } },
  ],
};

describe('Table rendering', () => {
  test('uppercase headers; priority columns only with wide', () => {
    assert.equal(renderTable(podTable), 'NAME    READY   STATUS      AGE\nweb-1   1/1     Running     5m\njob     0/1     Completed   10s\n');
    assert.equal(
      renderTable(podTable, { wide: true }),
      'NAME    READY   STATUS      AGE   IP\nweb-1   1/1     Running     5m    127.0.0.1\njob     0/1     Completed   10s   \n',
    );
  });

  test('NAMESPACE first with -A; kind/name prefix when several kinds print; labels; no headers', () => {
    const lines = tableCells(podTable, { withNamespace: true, kindPrefix: 'pod', showLabels: true });
    assert.deepEqual(lines[0], ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'AGE', 'LABELS']);
    assert.deepEqual(lines[1], ['demo', 'pod/web-1', '1/1', 'Running', '5m', 'app=web']);
    assert.deepEqual(lines[2], ['default', 'pod/job', '0/1', 'Completed', '10s', '<none>']);
    assert.equal(tableCells(podTable, { noHeaders: true }).length, 2);
  });

  test('StreamingTable keeps earlier widths for later rows', () => {
    const st = new StreamingTable();
    const first = st.write([
      ['NAME', 'READY', 'AGE'],
      ['a-long-name', '1/1', '1s'],
    ]);
    assert.equal(first, 'NAME          READY   AGE\na-long-name   1/1     1s\n');
    assert.equal(st.write([['b', '0/1', '2s']]), 'b             0/1     2s\n');
  });
});
