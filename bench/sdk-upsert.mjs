// Benchmark peer: batch-upserts N entities into Azurite with the official
// @azure/data-tables SDK and prints one JSON line, so the .NET client can be
// compared against it on identical data.
import { readFileSync } from "node:fs";
import { TableClient } from "@azure/data-tables";

function intEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

async function main() {
  const conn = process.env.BENCH_CONNECTION_STRING;
  if (!conn) throw new Error("BENCH_CONNECTION_STRING is required");
  const table = process.env.BENCH_TABLE || "benchsdk";
  const entities = intEnv("BENCH_ENTITIES", 50000);
  const partitions = intEnv("BENCH_PARTITIONS", 20);
  const batch = intEnv("BENCH_BATCH", 100);
  const concurrency = intEnv("BENCH_CONCURRENCY", 4);

  // Read the version from the installed package itself (its "exports" map
  // does not expose package.json to import/require).
  const pkgUrl = new URL("../node_modules/@azure/data-tables/package.json", import.meta.url);
  const version = JSON.parse(readFileSync(pkgUrl, "utf8")).version;

  // Azurite speaks plain http; the SDK refuses that unless explicitly allowed.
  const client = TableClient.fromConnectionString(conn, table, { allowInsecureConnection: true });

  // Table creation is setup, not part of the measurement.
  try {
    await client.createTable();
  } catch (err) {
    if (err?.statusCode !== 409) throw err; // 409 = TableAlreadyExists
  }

  // Build all entities up front so that generation cost is not timed.
  // The shape must match what the .NET side writes, property for property.
  const byPartition = new Map();
  const epoch = Date.UTC(2021, 0, 1);
  for (let i = 0; i < entities; i++) {
    const partitionKey = "p" + String(i % partitions).padStart(3, "0");
    const entity = {
      partitionKey,
      rowKey: String(i).padStart(8, "0"),
      District: `district-${i % 97}`,
      Indicator: "gdp",
      Period: `2021-Q${1 + (i % 4)}`,
      // Explicit EDM types: a plain JS number that happens to be integral
      // would otherwise be sent as Int32, and Int64 exceeds JS number precision.
      Value: { value: String(i * 1.5 + 0.25), type: "Double" },
      Count: { value: String(BigInt(i) * 1000003n), type: "Int64" },
      Final: i % 2 === 0,
      ObservedAt: new Date(epoch + i * 60000),
    };
    if (!byPartition.has(partitionKey)) byPartition.set(partitionKey, []);
    byPartition.get(partitionKey).push(["upsert", entity, "Replace"]);
  }

  // A transaction must stay within one partition, so batches are cut per partition.
  const queue = [];
  for (const actions of byPartition.values()) {
    for (let j = 0; j < actions.length; j += batch) queue.push(actions.slice(j, j + batch));
  }

  // Worker pool: each worker pulls the next batch from the shared queue, so at
  // most `concurrency` transactions are in flight. JS is single-threaded, so
  // queue.shift() needs no locking.
  async function worker() {
    for (let actions; (actions = queue.shift()); ) {
      const res = await client.submitTransaction(actions);
      if (res.status !== 202) throw new Error(`transaction failed with HTTP ${res.status}`);
    }
  }

  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // The client's own CPU (user + system) while writing: what it costs beside the emulator's work.
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  // Verify outside the timed section that every entity actually landed.
  let stored = 0;
  for await (const _ of client.listEntities({ queryOptions: { select: ["RowKey"] } })) stored++;
  if (stored !== entities) throw new Error(`count mismatch: expected ${entities}, table has ${stored}`);

  console.log(JSON.stringify({
    client: `@azure/data-tables ${version}`,
    entities,
    partitions,
    batch,
    concurrency,
    seconds: Number(seconds.toFixed(3)),
    entitiesPerSecond: Math.round(entities / seconds),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
  }));
}

main().catch((err) => {
  console.error(`sdk-upsert: ${err?.message ?? err}`);
  process.exit(1);
});
