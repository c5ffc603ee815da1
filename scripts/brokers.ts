/**
 * Real brokers for tests and development: `npm run brokers:up` starts a single-node Apache
 * Kafka (KRaft) on 127.0.0.1:9092 from Maven Central jars and makes sure RabbitMQ answers
 * on 127.0.0.1:5672; `npm run brokers:down` stops what `up` started. Both are idempotent.
 * The test suite's global setup uses the same functions.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KAFKA_DIR = path.join(ROOT, '.cache', 'kafka');
const LIB = path.join(KAFKA_DIR, 'lib');
const RABBIT_STARTED = path.join(ROOT, '.cache', 'rabbitmq.started');

export const KAFKA_VERSION = '3.9.1';
export const AMQP_PORT = 5672;

/** One single-node Kafka: its directory (data, logs, pid) and ports. */
export interface KafkaInstance {
  dir: string;
  port: number;
  controllerPort: number;
  /** The port clients are told to connect to, when a proxy stands in front of the broker (tests of network faults). */
  advertisedPort?: number;
}

/** The broker `npm run brokers:up` runs. Tests that stop and restart Kafka run their own (see test/gateway/loss.test.ts). */
export const KAFKA: KafkaInstance = { dir: KAFKA_DIR, port: 9092, controllerPort: 9093 };

export function kafkaInstance(name: string, port: number, advertisedPort?: number): KafkaInstance {
  return { dir: path.join(ROOT, '.cache', `kafka-${name}`), port, controllerPort: port + 1, ...(advertisedPort ? { advertisedPort } : {}) };
}

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.herald</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <!-- Kafka declares its logging backend compileOnly, so it is not transitive. -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
</project>
`;

const serverProperties = (k: KafkaInstance) => `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${k.controllerPort}
listeners=PLAINTEXT://127.0.0.1:${k.port},CONTROLLER://127.0.0.1:${k.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${k.advertisedPort ?? k.port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${path.join(k.dir, 'data')}
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
`;

const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/** The broker jars, fetched with Maven into .cache/kafka/lib once. */
function ensureJars(): void {
  if (existsSync(LIB) && readdirSync(LIB).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) return;
  mkdirSync(KAFKA_DIR, { recursive: true });
  writeFileSync(path.join(KAFKA_DIR, 'pom.xml'), POM);
  execFileSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${LIB}`], { cwd: KAFKA_DIR, stdio: 'inherit' });
}

/** A 22-character base64url id, as Kafka's own `random-uuid` makes: never starting with "-", which the tool would read as an option. */
function clusterIdOf(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url').slice(0, 22);
    if (!id.startsWith('-')) return id;
  }
}

const java = (k: KafkaInstance, args: string[]) => ['-cp', `${LIB}/*`, `-Dlog4j.configuration=file:${path.join(k.dir, 'log4j.properties')}`, ...args];

/** Starts Kafka unless something already answers on its port. Returns whether it started it. */
export async function startKafka(k: KafkaInstance = KAFKA, { fresh = false }: { fresh?: boolean } = {}): Promise<boolean> {
  if (await portOpen(k.port)) return false;
  ensureJars();
  const data = path.join(k.dir, 'data');
  const idFile = path.join(k.dir, 'cluster.id');
  if (fresh || !existsSync(idFile)) rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const props = path.join(k.dir, 'server.properties');
  writeFileSync(props, serverProperties(k));
  writeFileSync(path.join(k.dir, 'log4j.properties'), LOG4J);
  // One cluster id for the life of the data directory: formatting checks it on every start.
  if (!existsSync(path.join(data, 'meta.properties'))) writeFileSync(idFile, clusterIdOf());
  const clusterId = readFileSync(idFile, 'utf8').trim();
  execFileSync('java', java(k, ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props, '--ignore-formatted']), { stdio: 'ignore' });
  const log = openSync(path.join(k.dir, 'kafka.log'), 'a');
  const child = spawn('java', ['-Xmx512m', ...java(k, ['kafka.Kafka', props])], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  writeFileSync(path.join(k.dir, 'kafka.pid'), String(child.pid));
  const where = `Kafka on 127.0.0.1:${k.port} (log: ${path.join(k.dir, 'kafka.log')})`;
  await waitFor(() => portOpen(k.port), 90_000, where);
  // An open port is not yet a broker that can create topics: until it has registered with its
  // controller, creating one fails for want of brokers. Ask it to validate one until it can.
  await waitFor(() => canCreateTopics(k), 90_000, where);
  return true;
}

async function canCreateTopics(k: KafkaInstance): Promise<boolean> {
  const admin = new Kafka({ clientId: 'herald-brokers', brokers: [`127.0.0.1:${k.advertisedPort ?? k.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'herald-readiness-probe', numPartitions: 1, replicationFactor: 1 }] });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Stops a Kafka this tooling started; waits until its port is closed. */
export async function stopKafka(k: KafkaInstance = KAFKA, { hard = false }: { hard?: boolean } = {}): Promise<boolean> {
  const pidFile = path.join(k.dir, 'kafka.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, hard ? 'SIGKILL' : 'SIGTERM');
  } catch {
    // already gone
  }
  await waitFor(async () => !(await portOpen(k.port)) && !alive(pid), 60_000, 'Kafka shutdown');
  rmSync(pidFile, { force: true });
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Makes sure RabbitMQ answers; starts it (and remembers that) if it does not. */
export async function startRabbit(): Promise<boolean> {
  if (await portOpen(AMQP_PORT)) return false;
  execFileSync('rabbitmq-server', ['-detached'], { stdio: 'ignore' });
  mkdirSync(path.dirname(RABBIT_STARTED), { recursive: true });
  writeFileSync(RABBIT_STARTED, '');
  await waitFor(() => portOpen(AMQP_PORT), 90_000, `RabbitMQ on 127.0.0.1:${AMQP_PORT}`);
  return true;
}

export async function stopRabbit(): Promise<boolean> {
  if (!existsSync(RABBIT_STARTED)) return false;
  execFileSync('rabbitmqctl', ['stop'], { stdio: 'ignore' });
  rmSync(RABBIT_STARTED, { force: true });
  return true;
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'up') {
    const kafka = await startKafka();
    const rabbit = await startRabbit();
    console.log(`Kafka ${KAFKA_VERSION} on 127.0.0.1:${KAFKA.port}: ${kafka ? 'started' : 'already running'}`);
    console.log(`RabbitMQ on 127.0.0.1:${AMQP_PORT}: ${rabbit ? 'started' : 'already running'}`);
  } else if (command === 'down') {
    console.log(`Kafka: ${(await stopKafka()) ? 'stopped' : 'not started by brokers:up'}`);
    console.log(`RabbitMQ: ${(await stopRabbit()) ? 'stopped' : 'not started by brokers:up'}`);
  } else {
    console.error('usage: brokers.ts up|down');
    process.exitCode = 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv[2]);
