/**
 * The Nx cache replays a task only when nothing it reads has changed, and `nx affected` names every
 * project whose tasks read a changed file. Checked through Nx itself: the files each build, test
 * and lint task hashes (what `nx show target inputs` prints), `nx show projects --affected`, and a
 * lint run in a scratch workspace. Nothing in the working tree is modified.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const NX = join(ROOT, 'node_modules', '.bin', 'nx');

interface TaskInfo {
  project: string;
  root: string;
  target: string;
  command: string;
  dependsOn: unknown[];
  outputs: string[];
  /** workspace-relative files in the task's hash */
  files: string[];
}

/**
 * Every build/test/lint task of the workspace, with the files Nx hashes for it: one Nx process
 * running `getTaskRawInputs`, the function behind `nx show target inputs`.
 */
const TASKS_SCRIPT = `
const { createProjectGraphAsync } = require('@nx/devkit');
const { getTaskRawInputs } = require('nx/src/hasher/check-task-files');
(async () => {
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const tasks = [];
  for (const [project, node] of Object.entries(graph.nodes)) {
    for (const [target, config] of Object.entries(node.data.targets ?? {})) {
      if (!['build', 'test', 'lint'].includes(target)) continue;
      const inputs = await getTaskRawInputs(project + ':' + target, { projectGraph: graph });
      tasks.push({ project, root: node.data.root, target, command: config.options?.command, dependsOn: config.dependsOn ?? [], outputs: config.outputs ?? [], files: inputs.files });
    }
  }
  process.stdout.write(JSON.stringify(tasks));
})();
`;

/** The environment of an Nx child: no daemon or cloud, none of the NX_* variables (NX_SKIP_NX_CACHE, NX_TASK_*) of the Nx task that may be running this spec. */
function nxEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_')));
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
}

function run(cwd: string, command: string, args: string[]): { status: number | null; stdout: string; out: string } {
  const r = spawnSync(command, args, { cwd, env: nxEnv(), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

/** Files under `dir` (workspace-relative, `/`-separated), build outputs and installs skipped. */
function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : walk(path);
    return [path];
  });
}

/**
 * Workspace paths a source file names (string literals and `join(..., 'data', 'raccoon')` pieces),
 * cut to the longest prefix that exists; paths into build outputs or top-level folders alone are
 * left out.
 */
function pathsNamedIn(text: string): string[] {
  const joined = text.replace(/['"`]\s*,\s*['"`]/g, '/');
  const found = new Set<string>();
  for (const [path] of joined.matchAll(/(?<=^|[\s'"`/])(?:fixtures|data|apps|libs|tools)(?:\/[\w.@-]+)+/g)) {
    const parts = path.split('/');
    while (parts.length > 1 && !existsSync(join(ROOT, ...parts))) parts.pop();
    if (parts.length > 1 && !parts.includes('dist') && !parts.includes('node_modules')) found.add(parts.join('/'));
  }
  return [...found];
}

let tasks: TaskInfo[];
const task = (project: string, target: string): TaskInfo => {
  const t = tasks.find((x) => x.project === project && x.target === target);
  if (!t) throw new Error(`no task ${project}:${target}`);
  return t;
};
const ofTarget = (target: string): TaskInfo[] => tasks.filter((t) => t.target === target);

beforeAll(() => {
  const r = spawnSync(process.execPath, ['-e', TASKS_SCRIPT], { cwd: ROOT, env: nxEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`reading the task inputs failed:\n${r.stderr}`);
  tasks = JSON.parse(r.stdout) as TaskInfo[];
});

describe('task inputs (what the Nx cache hashes)', () => {
  it('every lint task hashes eslint.config.mjs, the lockfile and its own files, and lints its project root', () => {
    expect(ofTarget('lint').length).toBeGreaterThanOrEqual(11);
    for (const t of ofTarget('lint')) {
      expect([t.project, t.command]).toEqual([t.project, `eslint ${t.root}`]);
      expect([t.project, ['eslint.config.mjs', 'package-lock.json', `${t.root}/project.json`].filter((f) => !t.files.includes(f))]).toEqual([t.project, []]);
    }
  });

  it('every test task hashes the jest and TypeScript configs and runs the specs under its root only', () => {
    expect(ofTarget('test').length).toBeGreaterThanOrEqual(11);
    for (const t of ofTarget('test')) {
      // --passWithNoTests closes the --roots list: a file pattern after `nx run x:test --` filters, it is not another root
      expect([t.project, t.command]).toEqual([t.project, `jest --roots=${t.root} --passWithNoTests`]);
      const missing = ['jest.config.js', 'tsconfig.spec.json', 'tsconfig.json', 'tsconfig.base.json', 'package-lock.json'].filter((f) => !t.files.includes(f));
      expect([t.project, missing]).toEqual([t.project, []]);
    }
  });

  it('every build task hashes its tsconfig chain but not its specs, and caches dist/ (with the .tsbuildinfo)', () => {
    expect(ofTarget('build').length).toBeGreaterThanOrEqual(11);
    for (const t of ofTarget('build')) {
      expect([t.project, t.command, t.outputs]).toEqual([t.project, `tsc -b ${t.root}/tsconfig.json`, ['{projectRoot}/dist']]);
      expect([t.project, [`${t.root}/tsconfig.json`, 'tsconfig.base.json'].filter((f) => !t.files.includes(f))]).toEqual([t.project, []]);
      expect([t.project, t.files.filter((f) => f.endsWith('.spec.ts'))]).toEqual([t.project, []]);
    }
  });

  it('no project root lies inside another, and every spec `jest` finds belongs to a test task', () => {
    const roots = ofTarget('test').map((t) => t.root);
    expect(roots.filter((a) => roots.some((b) => a !== b && a.startsWith(`${b}/`)))).toEqual([]);
    const r = run(ROOT, join(ROOT, 'node_modules', '.bin', 'jest'), ['--listTests', '--json']);
    const specs = (JSON.parse(r.stdout) as string[]).map((f) => relative(ROOT, f));
    expect(specs.length).toBeGreaterThan(90);
    expect(specs.filter((f) => !roots.some((root) => f.startsWith(`${root}/`)))).toEqual([]);
  });

  it("files a project's specs read outside the project (goldens, data/, another app's CLI) are inputs of its test task", () => {
    const reads = new Map<string, Set<string>>();
    const missing: string[] = [];
    for (const t of ofTarget('test')) {
      const sources = walk(t.root)
        .filter((f) => f.endsWith('.spec.ts') || (f.includes('/__fixtures__/') && f.endsWith('.ts')))
        .filter((f) => f !== relative(ROOT, __filename)); // this file names paths to build a scratch workspace
      for (const source of sources) {
        for (const path of pathsNamedIn(readFileSync(join(ROOT, source), 'utf8'))) {
          if (path === t.root || path.startsWith(`${t.root}/`)) continue;
          reads.set(t.project, (reads.get(t.project) ?? new Set()).add(path));
          const files = statSync(join(ROOT, path)).isDirectory() ? walk(path) : [path];
          for (const f of files.filter((x) => !t.files.includes(x))) missing.push(`${t.project}:test does not hash ${f} (${source} reads ${path})`);
        }
      }
    }
    // the scan sees the reads it is meant to see
    expect(reads.get('coco-eval')).toContain('fixtures/golden/eval');
    expect(reads.get('coco')).toContain('data/raccoon');
    expect(reads.get('train')).toContain('apps/eval/src/main.ts');
    expect(missing).toEqual([]);
  });

  it('tools:test builds retina-train and retina-eval first (its smoke test spawns the built CLIs)', () => {
    expect(task('tools', 'test').dependsOn).toContainEqual({ projects: ['train', 'eval'], target: 'build' });
  });
});

describe('nx show projects --affected', () => {
  const affected = (file: string): string[] => {
    const r = run(ROOT, NX, ['show', 'projects', '--affected', `--files=${file}`, '--json']);
    if (r.status !== 0) throw new Error(r.out);
    return (JSON.parse(r.stdout) as string[]).sort();
  };
  const projectsWith = (target: string): string[] => ofTarget(target).map((t) => t.project).sort();

  it('a change to eslint.config.mjs affects every project with a lint task', () => {
    expect(affected('eslint.config.mjs')).toEqual(expect.arrayContaining(projectsWith('lint')));
  });

  it('a change to jest.config.js affects every project with a test task', () => {
    expect(affected('jest.config.js')).toEqual(expect.arrayContaining(projectsWith('test')));
  });

  it('a change to an evaluation golden affects the projects that read it (and their dependents) only', () => {
    const projects = affected('fixtures/golden/eval/basic/gt.json');
    expect(projects).toEqual(expect.arrayContaining(['coco-eval', 'eval']));
    expect(projects).not.toContain('anchors');
    expect(projects).not.toContain('focal-loss');
  });
});

describe('nx run <project>:lint in a scratch workspace with this nx.json', () => {
  let ws = '';
  beforeAll(() => {
    ws = mkdtempSync(join(tmpdir(), 'retina-nx-cache-'));
    mkdirSync(join(ws, 'libs', 'coco', 'src'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(ws, 'node_modules'), 'dir');
    writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'scratch', private: true, workspaces: ['libs/*'] }));
    writeFileSync(join(ws, 'nx.json'), readFileSync(join(ROOT, 'nx.json')));
    for (const f of ['project.json', 'package.json']) writeFileSync(join(ws, 'libs', 'coco', f), readFileSync(join(ROOT, 'libs', 'coco', f)));
    writeFileSync(join(ws, 'libs', 'coco', 'src', 'index.ts'), 'export const answer = 42; // TODO: a warning comment\n');
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  const eslintConfig = (rules: string) => `import tseslint from 'typescript-eslint';\nexport default [...tseslint.configs.recommended, { rules: ${rules} }];\n`;
  const lint = () => run(ws, NX, ['run', 'coco:lint']);

  it('replays a cached success while nothing changed, and runs eslint again after a rule is added', () => {
    writeFileSync(join(ws, 'eslint.config.mjs'), eslintConfig('{}'));
    expect(lint().status).toBe(0);
    const replay = lint();
    expect([replay.status, /local cache|existing outputs match the cache/.test(replay.out)]).toEqual([0, true]);

    writeFileSync(join(ws, 'eslint.config.mjs'), eslintConfig(`{ 'no-warning-comments': 'error' }`));
    const after = lint();
    expect(after.out).toMatch(/no-warning-comments/);
    expect(after.status).not.toBe(0);
  });
});
