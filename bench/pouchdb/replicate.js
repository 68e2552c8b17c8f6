#!/usr/bin/env node
// PouchDB reference replication for bench/bench_sync.py (same documents as the Kinto side, same phases).
//
//   node replicate.js --docs docs.jsonl --changed changed.jsonl --others others.jsonl \
//        [--gzip] [--preload] [--wait-url] [--pause-before-incr] [--workdir DIR]
//
// Starts an express-pouchdb server (leveldb, in a child-free way: same process, own HTTP server) on 127.0.0.1
// port 0 and prints {"event": "listening", "port": N}. With --wait-url it then reads the client base URL
// (e.g. bench/netem_proxy.py in front of that port) from stdin and uses it for every phase; with
// --pause-before-incr it prints {"event": "before_incr"} and waits for a line on stdin before the incremental
// phases (the caller switches the proxy to the slow field link then). PouchDB keys its checkpoints by URL, so
// all phases must use the same URL.
// Phases, each timed and counted on the server (requests, socket bytes in and out):
//   push        a local db holding every doc in --docs replicates to the server (skipped with --preload,
//               which loads the server in bulk instead, for large pull measurements)
//   pull        a fresh local db replicates everything from the server (first sync of a new device)
//   incr_push   that device edits the docs of --changed and pushes them
//   incr_pull   it pulls the docs of --others, which "another device" changed on the server meanwhile
// Prints one JSON line {"n", "gzip", "phases": {name: {"seconds", "requests", "bytes_in", "bytes_out"}}}.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const readline = require('readline');
const PouchDB = require('pouchdb');
const expressPouchDB = require('express-pouchdb');

function parseArgs(argv) {
  const out = { gzip: false, preload: false, waitUrl: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--gzip') out.gzip = true;
    else if (a === '--preload') out.preload = true;
    else if (a === '--wait-url') out.waitUrl = true;
    else if (a === '--pause-before-incr') out.pauseBeforeIncr = true;
    else if (a.startsWith('--')) out[a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[++i];
  }
  return out;
}

function readJsonl(file) {
  if (!file) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function toPouch(doc) {
  const d = Object.assign({}, doc);
  d._id = String(d.id);
  delete d.id;
  return d;
}

async function bulkLoad(db, docs) {
  for (let i = 0; i < docs.length; i += 5000) await db.bulkDocs(docs.slice(i, i + 5000));
}

async function applyEdits(db, edits) {
  // edits carry the full new content; fetch current revs and write them as updates
  const ids = edits.map((e) => String(e.id));
  const cur = await db.allDocs({ keys: ids });
  const byId = new Map(cur.rows.filter((r) => r.value).map((r) => [r.id, r.value.rev]));
  await db.bulkDocs(edits.map((e) => Object.assign(toPouch(e), { _rev: byId.get(String(e.id)) })));
}

async function main() {
  const args = parseArgs(process.argv);
  const work = args.workdir || fs.mkdtempSync(path.join(os.tmpdir(), 'pouch-bench-'));
  const serverDir = path.join(work, 'server') + path.sep;
  const clientDir = path.join(work, 'client') + path.sep;
  fs.mkdirSync(serverDir, { recursive: true });
  fs.mkdirSync(clientDir, { recursive: true });
  const docs = readJsonl(args.docs).map(toPouch);
  const changed = readJsonl(args.changed);
  const others = readJsonl(args.others);

  const ServerPouch = PouchDB.defaults({ prefix: serverDir });
  const opts = { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: path.join(work, 'log.txt') };
  if (!args.gzip) opts.overrideMode = { exclude: ['compression'] };
  const app = expressPouchDB(ServerPouch, opts);

  // per-phase counters: requests and socket bytes seen by the server
  const counters = { requests: 0 };
  const sockets = new Map();   // socket -> {r0, w0}
  let closedIn = 0, closedOut = 0;
  const server = http.createServer((req, res) => { counters.requests++; app(req, res); });
  server.on('connection', (s) => {
    sockets.set(s, { r0: 0, w0: 0 });
    s.on('close', () => {
      const base = sockets.get(s);
      closedIn += s.bytesRead - base.r0;
      closedOut += s.bytesWritten - base.w0;
      sockets.delete(s);
    });
  });
  function snapshot() {   // totals since the last snapshot, then start a new phase
    let bin = closedIn, bout = closedOut;
    for (const [s, base] of sockets) {
      bin += s.bytesRead - base.r0; bout += s.bytesWritten - base.w0;
      base.r0 = s.bytesRead; base.w0 = s.bytesWritten;
    }
    const out = { requests: counters.requests, bytes_in: bin, bytes_out: bout };
    closedIn = closedOut = 0; counters.requests = 0;
    return out;
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  process.stdout.write(JSON.stringify({ event: 'listening', port }) + '\n');
  let remoteUrl = `http://127.0.0.1:${port}/bench`;
  const lines = readline.createInterface({ input: process.stdin });
  const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
  if (args.waitUrl) remoteUrl = (await nextLine()).trim().replace(/\/$/, '') + '/bench';
  const serverDb = new ServerPouch('bench');
  const phases = {};
  async function phase(name, fn) {
    snapshot();
    const t0 = process.hrtime.bigint();
    const r = await fn();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    phases[name] = Object.assign({ seconds, docs: r && (r.docs_written || r.docs_read) }, snapshot());
  }

  if (args.preload) {
    await bulkLoad(serverDb, docs);
  } else {
    const a = new PouchDB(clientDir + 'a');
    await bulkLoad(a, docs);
    await phase('push', () => a.replicate.to(remoteUrl));
    await a.close();
  }
  const b = new PouchDB(clientDir + 'b');
  await phase('pull', () => b.replicate.from(remoteUrl));
  if (changed.length || others.length) {
    // a device that synced before has a push checkpoint too: set it up untimed (nothing new to send)
    await phase('setup_push', () => b.replicate.to(remoteUrl));
    await applyEdits(b, changed);          // the officer's own edits, made offline
    await applyEdits(serverDb, others);    // another device's edits, already on the server
    if (args.pauseBeforeIncr) {
      process.stdout.write(JSON.stringify({ event: 'before_incr' }) + '\n');
      await nextLine();
    }
    await phase('incr_push', () => b.replicate.to(remoteUrl));
    await phase('incr_pull', () => b.replicate.from(remoteUrl));
  }
  const info = await serverDb.info();
  await b.close();
  await serverDb.close();
  server.close();
  lines.close();
  process.stdout.write(JSON.stringify({ n: docs.length, gzip: args.gzip, preload: args.preload,
    server_doc_count: info.doc_count, phases }) + '\n');
  if (!args.workdir) fs.rmSync(work, { recursive: true, force: true });
  setImmediate(() => process.exit(0));
}

main().catch((err) => { console.error(err && err.stack || err); process.exit(1); });
