// A separate process running the outbox dispatcher, so a test can SIGKILL it mid-batch.
// argv: <database url> <delay ms per batch>
import { sql } from 'kysely';
import { connect } from '../../src/kernel/db.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { createOutbox, type OutboxHandler } from '../../src/kernel/outbox.ts';

const [url, delay] = process.argv.slice(2);
const database = connect(url!, { max: 4 });
const handler = (name: string): OutboxHandler => ({
  name,
  topics: ['probe.created'],
  batchSize: 50,
  async handle(events, trx) {
    await sql`insert into outbox_probe_received (handler, event_id)
              select ${name}, unnest(${events.map((e) => e.id)}::bigint[])`.execute(trx);
    // Hold the transaction open so a kill lands mid-batch.
    await new Promise((r) => setTimeout(r, Number(delay)));
  },
});
const outbox = createOutbox({
  db: database.db,
  log: createLogger('silent'),
  handlers: [handler('alpha'), handler('beta')],
  pollMs: 20,
});
outbox.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void outbox
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
