/**
 * `margin-core serve --book FILE.arrow` (docs/arrow.md, docs/service.md): the service on an Arrow book answers with
 * the bytes it gives for the same book as JSON (the report, a tick, fills, a what-if, the report after them), on WASM
 * and the JS twin; a file that is not Arrow, or a bad value in one, is refused before listening, naming the path.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { CLI, marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-serve-arrow-');
const json = join(dir, 'json'), arrow = join(dir, 'arrow');

/** serve on `book` (no token, loopback), the answers of `requests` in order as text, then SIGTERM. */
async function answers(book: string, market: string, backend: string, requests: [string, string, unknown?][]): Promise<string[]> {
  const child = spawn(process.execPath, [CLI, 'serve', '--book', book, '--market', market, '--backend', backend, '--no-auth', '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
    });
    const texts: string[] = [];
    for (const [method, path, body] of requests) {
      const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      texts.push(`${res.status} ${await res.text()}`);
    }
    return texts;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function serveExit(book: string, market: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return marginCore('serve', '--book', book, '--market', market, '--no-auth', '--port', '0');
}

describe('margin-core serve on an Arrow book', () => {
  it.each(['wasm', 'js'])('answers with the bytes of the same book as JSON (%s)', async (backend) => {
    for (const [format, out] of [['json', json], ['arrow', arrow]]) {
      expect((await marginCore('generate', '--accounts', '500', '--positions', '6', '--format', format, '--out', out)).code).toBe(0);
    }
    const first = (JSON.parse(readFileSync(join(json, 'book.json'), 'utf8')) as { accounts: { id: string; positions: { instrument: string }[] }[] }).accounts[3];
    const requests: [string, string, unknown?][] = [
      ['GET', '/report'],
      ['POST', '/tick', { assets: { BTC: { price: 80_000 } } }],
      ['POST', '/fills', { fills: [{ account: first.id, instrument: first.positions[0].instrument, quantity: 2, price: 100 }] }],
      ['POST', '/what-if', { account: first.id, trades: [{ instrument: first.positions[1].instrument, quantity: -1 }] }],
      ['GET', '/accounts?sort=health&limit=20'],
      ['GET', '/report'],
    ];
    const fromJson = await answers(join(json, 'book.json'), join(json, 'market.json'), backend, requests);
    const fromArrow = await answers(join(arrow, 'book.arrow'), join(arrow, 'market.json'), backend, requests);
    expect(fromJson.map((t) => t.slice(0, 3))).toEqual(['200', '200', '200', '200', '200', '200']);
    expect(JSON.parse(fromJson[0].slice(4)).accounts).toHaveLength(500);
    expect(JSON.parse(fromJson[1].slice(4)).remargined).toBeGreaterThan(0);
    expect(fromArrow).toEqual(fromJson);
  });

  it('a book with masters and subaccounts (read as one chunk): the report and its roll-up after a tick, the bytes of the JSON book', async () => {
    const grouped = { json: join(dir, 'grouped-json'), arrow: join(dir, 'grouped-arrow') };
    for (const [format, out] of Object.entries(grouped)) {
      expect((await marginCore('generate', '--accounts', '120', '--positions', '4', '--accounts-per-master', '4', '--format', format, '--out', out)).code).toBe(0);
    }
    const requests: [string, string, unknown?][] = [['POST', '/tick', { assets: { ETH: { price: 2_500 } } }], ['GET', '/report']];
    const fromJson = await answers(join(grouped.json, 'book.json'), join(grouped.json, 'market.json'), 'wasm', requests);
    const fromArrow = await answers(join(grouped.arrow, 'book.arrow'), join(grouped.arrow, 'market.json'), 'wasm', requests);
    expect(JSON.parse(fromJson[1].slice(4)).subaccounts).toBeDefined();
    expect(fromArrow).toEqual(fromJson);
  });

  it('a file that is not Arrow, a bad value in one: exit 1 before listening, the path named', async () => {
    const bad = join(dir, 'bad.arrow');
    writeFileSync(bad, '{"instruments": []}');
    const notArrow = await serveExit(bad, join(arrow, 'market.json'));
    expect([notArrow.code, notArrow.stdout]).toEqual([1, '']);
    expect(notArrow.stderr).toContain(`--book: ${bad}: not an Arrow IPC file or stream`);
    // account 2's first quantity made NaN in the generated file: the JSON validator's message at the JSON path
    const table = A.tableFromIPC(readFileSync(join(arrow, 'book.arrow')));
    const positions = table.getChild('positions')!.data[0];
    (positions.children[0].children[1].values as Float64Array)[positions.valueOffsets[2]] = Number.NaN; // quantity
    const nan = join(dir, 'nan.arrow');
    writeFileSync(nan, A.tableToIPC(table, 'file'));
    const run = await serveExit(nan, join(arrow, 'market.json'));
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toContain('accounts[2].positions[0].quantity');
  });
});
