import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Runs Pester suites of test/powershell (the PowerShell scripts run for real) as part of `npm test`:
 * one pwsh per call, and each Pester test reported here as a test of its own, with its name and,
 * when it failed, Pester's message. Each *.test.ts beside the suites runs some of them, so that
 * `npm test` can run them side by side. Without pwsh or Pester they are skipped in one line,
 * except under CI, where .ci/run installs both and a skipped suite would hide a broken install.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUITES = join(ROOT, 'test', 'powershell');
const PESTER_MANIFEST = join(ROOT, '.cache', 'powershell-modules', 'Pester', '6.2.0', 'Pester.psd1');
const INSTALL = 'test/powershell/install-tools.sh installs PowerShell 7.6.9 and Pester 6.2.0 (it needs the .NET SDK)';
const IN_CI = process.env.CI === 'true';

interface PesterOutcome {
  name: string;
  result: 'Passed' | 'Failed' | 'Skipped' | 'NotRun' | 'Inconclusive';
  message: string;
  seconds: number;
}

/** pwsh from PATH, or where `dotnet tool install --global` puts it when ~/.dotnet/tools is not on PATH. */
function findPwsh(): string | undefined {
  const name = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  const folders = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.dotnet', 'tools')];
  return folders.filter((folder) => folder !== '').map((folder) => join(folder, name)).find((candidate) => existsSync(candidate));
}

/** Registers one node test that runs these suites (file names in test/powershell) in one pwsh. */
export function pesterSuites(suites: string[]): void {
  const title = `Pester: ${suites.join(', ')}`;
  const pwsh = findPwsh();
  const missing = !pwsh ? 'pwsh is not installed' : !existsSync(PESTER_MANIFEST) ? `Pester is not installed at ${PESTER_MANIFEST}` : undefined;
  if (missing && !IN_CI) {
    test(`${title}: skipped, ${missing}; ${INSTALL}`, { skip: true }, () => {});
    return;
  }
  test(title, async (t) => {
    assert.equal(missing, undefined, `${missing}; under CI the Pester suites must run: ${INSTALL}`);
    const scratch = mkdtempSync(join(tmpdir(), 'chatapp-pester-results-'));
    const resultFile = join(scratch, 'results.json');
    try {
      const output: string[] = [];
      const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', join(SUITES, 'Invoke-PesterSuites.ps1'), '-ResultFile', resultFile];
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(pwsh!, [...args, '-Path', suites.map((suite) => join(SUITES, suite)).join(delimiter)], {
          cwd: ROOT,
          // The scripts under test, and Azure PowerShell's sign-in in @azure/identity, start pwsh by name.
          env: { ...process.env, PATH: `${dirname(pwsh!)}${delimiter}${process.env.PATH ?? ''}` },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const keep = (chunk: Buffer) => output.push(chunk.toString('utf8'));
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        child.once('error', reject);
        child.once('exit', resolve);
      });
      const printed = output.join('');
      assert.ok(existsSync(resultFile), `Pester wrote no results (pwsh exit code ${exitCode}):\n${printed}`);
      const outcomes = JSON.parse(readFileSync(resultFile, 'utf8').replace(/^\uFEFF/, '')) as PesterOutcome[] | PesterOutcome;
      const all = Array.isArray(outcomes) ? outcomes : [outcomes];
      assert.ok(all.length > 0, `Pester ran no test:\n${printed}`);

      for (const outcome of all) {
        await t.test(`${outcome.name} (${outcome.seconds} s)`, { skip: outcome.result === 'Skipped' || outcome.result === 'NotRun' }, () => {
          assert.equal(outcome.result, 'Passed', outcome.message);
        });
      }
      const summary = printed.split('\n').filter((line) => /^Tests (completed|Passed)/.test(line.trim()));
      t.diagnostic(summary.join(' ').trim());
      assert.equal(exitCode, 0, `pwsh exited with ${exitCode}; Pester's output:\n${printed.slice(-4000)}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
