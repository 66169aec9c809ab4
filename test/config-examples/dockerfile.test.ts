/**
 * The container image cannot be built here (no Docker engine), so the Dockerfile is parsed
 * and its required properties are checked one by one: multi-stage; the build stage runs
 * `npm ci` and `npm run build` on sources the .dockerignore lets in; the final stage takes
 * only dist/ from it (the bundle has every dependency: no node_modules); a numeric non-root
 * USER; `ENTRYPOINT ["segura-siem"]` made true by a symlink to the bundle; OCI labels; the
 * reason for having no HEALTHCHECK documented. The symlink entrypoint is then exercised on
 * the real bundle: started through a symlink, it runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt, tempDir } from '../e2e/shippers/support.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly line: number;
}

/** Dockerfile → instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    const start = i;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      const next = lines[++i]!;
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile:${start + 1}: not an instruction: ${line}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

interface Stage {
  readonly name: string | undefined;
  readonly base: string;
  readonly instructions: Instruction[];
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ base: m[1]!, name: m[2], instructions: [] });
    } else stages[stages.length - 1]?.instructions.push(ins);
  }
  return stages;
}

/** .dockerignore semantics: the last matching pattern wins, `!` re-includes. */
function dockerignoreIncludes(patterns: readonly string[], path: string): boolean {
  let included = true;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = (negate ? raw.slice(1) : raw).replace(/\/$/, '');
    // `**/` is zero or more directories (moby/patternmatcher), `*` stays within one.
    const body = p
      .split('**/')
      .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
      .join('(?:.*/)?');
    const re = new RegExp(`^${body}(/.*)?$`);
    if (re.test(path)) included = negate;
  }
  return included;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const stages = stagesOf(instructions);
const final = stages[stages.length - 1]!;
const build = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args)))!;
const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage: a build stage runs npm ci and npm run build; the final stage is another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(build).not.toBe(final);
    expect(runs(build).some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    // npm ci comes first: the lockfile decides every dependency version.
    expect(runs(build).findIndex((r) => /\bnpm ci\b/.test(r))).toBeLessThan(runs(build).findIndex((r) => /\bnpm run build\b/.test(r)));
  });

  it('copies into the build stage only sources that exist and that .dockerignore lets in', () => {
    const copies = build.instructions.filter((i) => i.op === 'COPY');
    const sources = copies.flatMap((c) => c.args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'scripts', 'plugin', 'proto']));
    for (const s of sources) {
      expect(existsSync(join(ROOT, s)), s).toBe(true);
      expect(dockerignoreIncludes(ignore, s.replace(/\/$/, '')), `${s} excluded by .dockerignore`).toBe(true);
    }
    for (const needed of ['scripts/build.mjs', 'plugin/main.ts', 'proto/vector/vector.proto']) {
      expect(dockerignoreIncludes(ignore, needed), needed).toBe(true);
    }
    for (const kept of ['node_modules', 'node_modules/yaml/package.json', 'dist/segura-siem.js', '.git/config', 'test/e2e/shippers/support.ts', 'plugin/x.test.ts']) {
      expect(dockerignoreIncludes(ignore, kept), `${kept} should stay out of the context`).toBe(false);
    }
  });

  it('the final stage takes only dist/ from the build stage: no node_modules, no npm install', () => {
    const copies = final.instructions.filter((i) => i.op === 'COPY' || i.op === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.op).toBe('COPY');
      expect(c.args).toMatch(new RegExp(`--from=${build.name}\\s`));
      const src = c.args.split(/\s+/).filter((w) => !w.startsWith('--'))[0]!;
      expect(src).toMatch(/\/dist\/?$/);
    }
    expect(dockerfile).not.toMatch(/node_modules\s+\/app/);
    for (const r of runs(final)) expect(r).not.toMatch(/\bnpm (ci|install|i)\b/);
    // What the build stage's dist/ holds is what scripts/build.mjs writes.
    expect(readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8')).toMatch(/outfile:\s*'dist\/segura-siem\.js'/);
  });

  it('runs as a numeric non-root user, set after every RUN of the final stage', () => {
    const users = final.instructions.filter((i) => i.op === 'USER');
    expect(users.length).toBe(1);
    const m = /^(\d+)(?::(\d+))?$/.exec(users[0]!.args)!;
    expect(m).not.toBeNull();
    expect(Number(m[1])).toBeGreaterThan(0);
    const lastRun = Math.max(...final.instructions.filter((i) => i.op === 'RUN').map((i) => i.line));
    expect(users[0]!.line).toBeGreaterThan(lastRun);
  });

  it('ENTRYPOINT ["segura-siem"] is literally true: a PATH symlink to the bundle copied from dist/', () => {
    const entry = final.instructions.filter((i) => i.op === 'ENTRYPOINT');
    expect(entry.map((e) => JSON.parse(e.args))).toEqual([['segura-siem']]);
    const copy = final.instructions.find((i) => i.op === 'COPY')!;
    const dest = copy.args.split(/\s+/).pop()!.replace(/\/$/, '');
    const link = runs(final).map((r) => /ln -s (\S+) (\S+)/.exec(r)).find((m) => m !== null)!;
    expect(link[1]).toBe(`${dest}/segura-siem.js`);
    expect(link[2]).toBe('/usr/local/bin/segura-siem');
    // The symlink is executed directly, so the bundle must carry its interpreter line.
    expect(readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8')).toContain("banner: { js: '#!/usr/bin/env node' }");
  });

  it('carries OCI labels, and documents why there is no HEALTHCHECK', () => {
    const labels = final.instructions.filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses']) {
      expect(labels, key).toContain(`org.opencontainers.image.${key}=`);
    }
    expect(labels).toContain(`org.opencontainers.image.licenses="${pkg.license}"`);
    expect(instructions.some((i) => i.op === 'HEALTHCHECK')).toBe(false);
    const ops = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(ops).toMatch(/HEALTHCHECK/);
    expect(ops).toMatch(/grpc:\s*\n?\s*port: 50052/);
  });

  it('uses inside each stage only the build arguments that stage declares', () => {
    // An ARG before the first FROM is visible to FROM lines only; a stage must re-declare it.
    for (const stage of stages) {
      const declared = new Set(stage.instructions.filter((i) => i.op === 'ARG' || i.op === 'ENV').map((i) => /^(\w+)/.exec(i.args)![1]!));
      for (const ins of stage.instructions) {
        if (ins.op === 'RUN') continue; // shell variables are the shell's business
        for (const m of ins.args.matchAll(/\$\{?(\w+)/g)) expect(declared.has(m[1]!), `line ${ins.line}: $${m[1]} is not declared in its stage`).toBe(true);
      }
    }
  });

  it('declares no VOLUME (a read-only root filesystem plus explicit mounts is the contract)', () => {
    expect(instructions.some((i) => i.op === 'VOLUME')).toBe(false);
  });
});

describe('the image entrypoint mechanism, on the real bundle', () => {
  beforeAll(ensureBuilt, 120_000);

  it('runs when started through a symlink named segura-siem, as /usr/local/bin/segura-siem is', () => {
    const bin = join(tempDir('seg-entry-'), 'segura-siem');
    symlinkSync(CLI, bin);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+|^dev$/);
    const record = JSON.stringify({ event_id: '16', type: 'session-started', msg: 'hello', suser: 'stlee' });
    const run = spawnSync(bin, ['stdio'], { input: `${record}\n`, encoding: 'utf8', cwd: '/' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^CEF:0\|MT4\|Segura\|/);
  });
});
