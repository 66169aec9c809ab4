#!/usr/bin/env node
// Writes a realistic NDJSON file of Segura records for the benches:
//   node bench/gen-events.mjs OUT [COUNT=1000000]
// Every documented message type, non-ASCII names, and now and then values with `=`, `\`,
// `|` and newlines. Deterministic (seeded), so runs are comparable.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const out = process.argv[2] ?? 'bench/out/events.ndjson';
const count = Number(process.argv[3] ?? 1_000_000);

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (a) => a[Math.floor(rand() * a.length)];

const people = [['Stephen Lee', 'stlee'], ['José da Silva', 'jsilva'], ['Zoë Ångström', 'zangstrom'], ['李小龍', 'xlli'], ['Caleb', 'caleb'], ['Leia West', 'lwest']];
const hosts = ['win2012', 'srv-db-01', 'localhost', 'fw-edge-ç', 'dc01.corp.example'];
const hostile = ['a=b', 'C:\\Temp\\', 'pipe | here', 'line1\nline2', 'x suser=admin', 'tab\there', '\\n literal'];
const spice = (s) => (rand() < 0.05 ? `${s} ${pick(hostile)}` : s);
const ip = () => `192.168.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`;

// [event id, type slug, build(person, host) -> extension fields]
const TYPES = [
  ['18', 'backup', () => ({ msg: spice("Backup sent to server 'localhost:/srv/backup' via local"), suid: 15, sname: 'Asynchronous Script: 8', spid: 9921, dhost: 'localhost' })],
  ['8', 'lost-connectivity', (p, h) => ({ msg: `${h} appliance (${ip()}) has lost SSH connectivity`, suid: 8, sname: 'Asynchronous Script: 9', spid: 1, dst: ip(), dhost: h, dport: 22 })],
  ['9', 'restored-connectivity', (p, h) => ({ msg: `${h} appliance has recovered SSH connectivity`, suid: 8, sname: 'Asynchronous Script: 9', spid: 1, dst: ip(), dhost: h, dport: 22 })],
  ['2', 'password-changed', (p, h) => ({ msg: spice(`Password ${h} - Domain User - root changed by user ${p[1]}`), suid: 17, sname: p[0], spid: 77, duser: 'root', duid: 35, dst: ip(), dhost: h })],
  ['1', 'password-visualization', (p, h) => ({ msg: `Password ${h} - Domain User - root viewed by user ${p[1]}`, suid: 164, sname: p[0], spid: 78, duser: 'root', duid: 35, dst: ip(), dhost: h })],
  ['16', 'session-started', (p, h) => ({ msg: spice(`Session started for ${h} - Privileged Domain User - root by the user ${p[0]} (${p[1]})`), suid: 153, sname: p[0], suser: p[1], spid: 4242, dst: ip(), dpt: 3389, duser: 'root' })],
  ['17', 'session-ended', (p, h) => ({ msg: `Session terminated for ${h} - srv_admin by the user ${p[0]} (${p[1]})`, suid: 153, sname: p[0], suser: p[1], spid: 4242, dst: ip(), dpt: 22, duser: 'srv_admin' })],
  ['13', 'password-request', (p, h) => ({ msg: spice(`User '${p[0]}' has made a request. Request Details: View password action for cqss credential on ${h}`), suid: 3, sname: p[0], suser: p[1], spid: 5, dst: ip(), duser: 'cqss', cs1: 'CHG0012345', cs2: '2026-01-19 10:41:00', cs3: '2026-01-19 11:41:00', cs4: 'Administrator', cs5: p[0], cs6: 'View password' })],
  ['14', 'approved-request', (p, h) => ({ msg: `Application approved by Administrator. Code: S000296 Requestor: ${p[0]}`, suid: 4, sname: 'Leia West', suser: 'lwest', spid: 5, dst: ip(), duser: 'cqss', cs1: 'CHG0012345', cs2: '2026-01-19 10:41:00', cs3: '2026-01-19 11:41:00', cs4: 'Administrator', cs5: p[0], cs6: 'View password' })],
  ['31', 'command-detected-block-stop-session', (p) => ({ msg: spice('An audited command has been detected! Action: blocked the command and terminated the session'), suid: 9, sname: p[0], suser: p[1], spid: 31, dst: ip(), dpt: 22, duser: 'usrmanut' })],
  ['32', 'command-detected-block', (p) => ({ msg: 'An audited command has been detected! Action: Notification sent and command allowed', suid: 9, sname: p[0], suser: p[1], spid: 32, dst: ip(), dpt: 22, duser: 'usrmanut' })],
  ['20', 'password-change-error', (p, h) => ({ msg: spice(`Error changing password '${h} - Domain User - stleeadm': The device has no Windows RPC connectivity`), suid: 9, sname: p[0], suser: p[1], spid: 20, dst: ip(), dpt: 135, duser: 'stleeadm' })],
  ['34', 'stored-file-changed', () => ({ msg: 'A session file has been modified!', suid: 12, sname: 'Asynchronous Script: 12', suser: 'asc_12', spid: 34, cs1: 9001, cs2: 1048576, cs3: 1048999, cs4: 'f5751777b74f8e2f2a9c0c1e', cs5: '284f1555574548901bbd' })],
  ['93', 'master-key-part-viewed', (p) => ({ msg: 'The user accessed his part of the key.', suid: 1, sname: p[0], suser: p[1], Method: 'POST', act: 'User has seen his part of the key', ServiceName: 'Backup' })],
  ['92', 'master-key-ceremony-started', (p) => ({ msg: 'The key ceremony process started.', suid: 1, sname: p[0], suser: p[1], spriv: 'Administrator', Method: 'POST', act: 'Ceremony process started', ServiceName: 'Backup' })],
  ['102', 'master-key-recovery-failed', (p) => ({ msg: 'The recovery attempt has failed.', requestMethod: 'POST', act: 'Failed recovery attempt', sourceServiceName: 'Master Key', originIP: ip(), country: 'Brazil', state: 'São Paulo', city: 'Taboão da Serra', latitude: -23.6, longitude: -46.78, partsNeeded: 3, partsSent: 2, suid: 1, sname: p[0], suser: p[1], spriv: 'User', dvc: ip(), spid: 102, src: ip(), dproc: 'master_key_guardian' })],
];
const REPORT = (p) => ({ dvc: ip(), spid: 300, src: ip(), suid: 7, sname: p[0], suser: p[1], spriv: 'Administrator', msg: 'Report scheduling - Update', requestMethod: 'POST', act: 'Report scheduling - Update', sourceServiceName: 'Report scheduling', cs1: p[0], cs2: 7, cs3: spice('My schedule'), cs4: 12, cs5: 'None', cs6: 'None', cs7: `${p[1]} - ${p[0]}`, cs8: 'None' });

mkdirSync(dirname(out), { recursive: true });
const stream = createWriteStream(out);
const t0 = Date.UTC(2026, 0, 19, 10, 41, 0);
let i = 0;
function writeSome() {
  let ok = true;
  while (i < count && ok) {
    const p = pick(people);
    const h = pick(hosts);
    let rec;
    if (rand() < 0.06) {
      rec = { event_id: '336.501', type: 'report-schedule-updated', name: 'Report scheduling', ...REPORT(p) };
    } else {
      const [id, type, build] = pick(TYPES);
      rec = { event_id: id, type, ...build(p, h) };
    }
    rec.product_version = '3.27.0-4';
    rec.host = 'segura-vault-01';
    rec.timestamp = new Date(t0 + i * 7).toISOString();
    ok = stream.write(JSON.stringify(rec) + '\n');
    i++;
  }
  if (i < count) stream.once('drain', writeSome);
  else stream.end();
}
writeSome();
stream.on('finish', () => process.stderr.write(`wrote ${count} records to ${out}\n`));
