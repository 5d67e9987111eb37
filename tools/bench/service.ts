/**
 * `npm run bench:service`: what the service core costs on top of DynamoDB. Starts dynalite (in-memory DynamoDB API) and
 * petstore, seeds items, then reads them by id at a fixed concurrency two ways, in one run: through the service's
 * HTTP API, and with a direct GetItem on the same dynalite. Prints throughput, p50 and p99 of each, and the ratios.
 */
import { pet } from "../../services/petstore/main";
import { startDynalite, startService } from "../services/local";

const ITEMS = 200;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);

interface Result {
    readonly perSecond: number;
    readonly p50: number;
    readonly p99: number;
}

/** Runs `REQUESTS` calls of `op`, `CONCURRENCY` at a time, after a warm-up; latencies in milliseconds. */
async function measure(op: (i: number) => Promise<void>): Promise<Result> {
    for (let i = 0; i < 200; i++) {
        await op(i);
    }
    const latencies: number[] = [];
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
            const i = next++;
            const t0 = process.hrtime.bigint();
            await op(i);
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { perSecond: REQUESTS / seconds, p50: at(0.5), p99: at(0.99) };
}

async function main(): Promise<void> {
    const db = await startDynalite();
    const { url, app, repository } = await startService(db, pet);
    for (let i = 0; i < ITEMS; i++) {
        await repository.put(`pet-${i}`, { name: `Pet ${i}`, species: "dog" }, "bench");
    }

    const service = await measure(async i => {
        const response = await fetch(`${url}/petstore/pets/pet-${i % ITEMS}`);
        if (response.status !== 200) {
            throw new Error(`GET answered ${response.status}`);
        }
        await response.arrayBuffer();
    });
    const direct = await measure(async i => {
        // The same consistent GetItem the service makes, without HTTP, routing, validation or serialization.
        if (!(await repository.get(`pet-${i % ITEMS}`))) {
            throw new Error("GetItem found nothing");
        }
    });

    const row = (name: string, r: Result) =>
        `${name.padEnd(30)} ${r.perSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms`;
    console.log(`GET by id, ${REQUESTS} requests at concurrency ${CONCURRENCY}, ${ITEMS} items, dynalite in-process, Node ${process.version}`);
    console.log(row("petstore HTTP GET /pets/{id}", service));
    console.log(row("direct GetItem (same dynalite)", direct));
    console.log(`ratio service/direct: throughput ${(service.perSecond / direct.perSecond).toFixed(2)}×, ` +
        `p50 ${(service.p50 / direct.p50).toFixed(2)}×, p99 ${(service.p99 / direct.p99).toFixed(2)}×`);
    await app.close();
    await db.close();
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
