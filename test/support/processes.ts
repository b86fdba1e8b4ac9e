import { spawn, type ChildProcess } from 'node:child_process';

export interface PlatformProcess {
  child: ChildProcess;
  /** http://localhost:port the process listens on */
  url: string;
  stderr: string[];
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `cbec start` as a child process (the real entry point, as `npm start` runs it) and
 * resolves once it listens. PORT=0 unless the environment says otherwise.
 */
export function startPlatformProcess(env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 90_000): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/cbec.ts', 'start', ...args], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process did not start: ${stderr.join('')}`)), timeoutMs);
    let out = '';
    const onExit = (code: number | null): void =>
      reject(new Error(`process exited (${code}) before listening: ${stderr.join('')}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/localhost:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        child,
        url: m[1]!,
        stderr,
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/** Logs a demo user in over HTTP; answers the bearer token. */
export async function httpLogin(url: string, username: string, password = 'cbec-demo'): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
