/**
 * The project's CLI (`src/cli/main.ts` under tsx) as the tests call it: `cli` waits
 * for it, blocking (only for runs of a second or two); `cliInChild` awaits it without
 * blocking; `cliAsync` lets it run while the test does something else (a browser run),
 * and `cliJson` parses its JSON output.
 */
import { execFile, spawnSync } from 'node:child_process';

export const ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = ['--import', 'tsx', 'src/cli/main.ts'];

export function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...ENTRY, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The CLI in a child process, awaited: the test's event loop stays free meanwhile. Use it
 * for anything longer than a few seconds (model commands): a blocking spawnSync of a
 * minute on a busy machine starves Vitest's RPC ("Timeout calling onTaskUpdate", whose
 * 60 s limit Vitest 3 does not let a config raise).
 */
export function cliInChild(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [...ENTRY, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}

/** Resolves with stdout without its final newline; rejects with stderr on a non-zero exit. */
export function cliAsync(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [...ENTRY, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`cli ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout.replace(/\n$/, '')),
    ),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, read field by field by each test
export async function cliJson(...args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await cliAsync(...args));
}

/**
 * The CLI run inside the test process (no child, no tsx start-up): for the many
 * bad-input cases and the golden outputs. Progress that a command writes straight to
 * process.stderr is not captured; the error line and the output are.
 */
export async function cliInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
