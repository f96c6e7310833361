import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StudyChildError, StudyError } from './errors';
import { locateCli, spawnCliRunner } from './runner';

/**
 * A workspace with a stand-in @retina/train-app: its bin prints its arguments and exits with the
 * status given as the first one; `built` decides whether its dist/main.js exists.
 */
function fakeWorkspace(root: string, built: boolean): string {
  const pkg = join(root, 'node_modules', '@retina', 'train-app');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@retina/train-app', main: 'dist/main.js', bin: { 'retina-train': 'bin/retina-train.js' } }));
  writeFileSync(join(pkg, 'bin', 'retina-train.js'), "console.log('args', process.argv.slice(2).join(' ')); console.error('last words'); process.exit(Number(process.argv[2]));\n");
  if (built) {
    mkdirSync(join(pkg, 'dist'));
    writeFileSync(join(pkg, 'dist', 'main.js'), '');
  }
  const nested = join(root, 'tools', 'dist');
  mkdirSync(nested, { recursive: true });
  return nested;
}

describe('locateCli / spawnCliRunner', () => {
  let root = '';
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'study-runner-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds the bin script of the workspace package above, and the real retina-train / retina-eval', () => {
    const from = fakeWorkspace(join(root, 'ok'), true);
    expect(locateCli('retina-train', from)).toBe(join(root, 'ok', 'node_modules', '@retina', 'train-app', 'bin', 'retina-train.js'));
    expect(locateCli('retina-train')).toMatch(/[/\\]node_modules[/\\]@retina[/\\]train-app[/\\]bin[/\\]retina-train\.js$/);
    expect(locateCli('retina-eval')).toMatch(/[/\\]eval-app[/\\]bin[/\\]retina-eval\.js$/);
  });

  it('says to build (or install) when the app is not built or not there', () => {
    const from = fakeWorkspace(join(root, 'unbuilt'), false);
    expect(() => locateCli('retina-train', from)).toThrow(/^retina-train is not built \(.*dist[/\\]main\.js is missing\): run `npm run build` first$/);
    expect(() => locateCli('retina-eval', from)).toThrow(StudyError);
  });

  it('writes the output to the log; exit 2 is a StudyError, any other failure a StudyChildError, both naming the log', async () => {
    const run = spawnCliRunner(fakeWorkspace(join(root, 'spawn'), true));
    const log = join(root, 'spawn', 'train.log');
    await run({ cli: 'retina-train', args: ['0', '--loss', 'focal'], log });
    expect(readFileSync(log, 'utf8')).toMatch(/args 0 --loss focal\n/);
    const user = run({ cli: 'retina-train', args: ['2'], log });
    await expect(user).rejects.toThrow(StudyError);
    await expect(user).rejects.toThrow(`retina-train: last words (full output in ${log})`);
    const bug = run({ cli: 'retina-train', args: ['1'], log });
    await expect(bug).rejects.toThrow(StudyChildError);
    await expect(bug).rejects.toThrow(`retina-train exited with code 1: last words — full output in ${log}`);
  });
});
