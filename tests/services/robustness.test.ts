import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import fc from "fast-check";
import { pet } from "../../services/petstore/main";
import { AS_ALICE, call, Dynalite, startDynalite, startService } from "./harness";

const ROOT = path.resolve(__dirname, "..", "..");

describe("service robustness (petstore against dynalite)", () => {
    let db: Dynalite;
    before(async () => {
        db = await startDynalite();
    });
    after(async () => {
        await db.close();
    });

    it("answers 1,000 generated malformed or random requests without a 5xx, and leaves earlier items unchanged", async function () {
        this.timeout(120_000);
        const service = await startService(db, pet);
        try {
            const kept = ["keep-a", "keep-b", "keep-c"];
            for (const id of kept) {
                assert.strictEqual((await call(service.url, "PUT", `/petstore/pets/${id}`, { body: { name: id, species: "cat", tags: ["x"] }, headers: AS_ALICE })).status, 201);
            }
            const before = await Promise.all(kept.map(id => call(service.url, "GET", `/petstore/pets/${id}`).then(r => r.body)));

            const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
            // Anything but the kept ids: generated writes may create items, never touch those.
            const id = fc.oneof(printable, fc.string({ unit: "grapheme", maxLength: 20 }), fc.constantFrom("", "rex", "a".repeat(64), "a".repeat(65), "..", "%00"))
                .filter(s => !s.startsWith("keep-"))
                .map(s => encodeURIComponent(s));
            const requestPath = fc.oneof(
                { arbitrary: fc.constantFrom("f1", "f2", "f3").map(i => `/petstore/pets/${i}`), weight: 4 },
                id.map(i => `/petstore/pets/${i}`),
                fc.tuple(printable, printable).map(([k, v]) => `/petstore/pets?${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
                fc.constantFrom("/petstore/pets", "/petstore", "/", "/health", "/foodstore/foods/x", "/petstore/pets/x/y"),
                fc.integer({ min: -5, max: 500 }).map(n => `/petstore/pets?limit=${n}`),
                printable.map(c => `/petstore/pets?cursor=${encodeURIComponent(c)}`),
            );
            const validPet = fc.record({
                name: fc.string({ minLength: 1, maxLength: 20 }),
                species: fc.constantFrom("dog", "cat", "bird", "fish", "reptile", "other"),
                birthYear: fc.integer({ min: 1900, max: 2100 }),
            }, { requiredKeys: ["name", "species"] }).map(v => JSON.stringify(v));
            const body = fc.oneof(
                { arbitrary: validPet, weight: 3 },
                fc.constant(undefined),
                fc.jsonValue().map(v => JSON.stringify(v)),
                printable,
                fc.record({ name: fc.anything(), species: fc.anything(), birthYear: fc.anything(), extra: fc.anything() }, { requiredKeys: [] })
                    .map(v => JSON.stringify(v, (_, x) => typeof x === "bigint" ? String(x) : x)),
                fc.constant(JSON.stringify({ name: "n".repeat(17_000), species: "dog" })),
            );
            const request = fc.record({
                method: fc.oneof({ arbitrary: fc.constant("PUT"), weight: 4 }, { arbitrary: fc.constantFrom("GET", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD"), weight: 4 }),
                path: requestPath,
                body,
                contentType: fc.oneof({ arbitrary: fc.constant("application/json"), weight: 3 }, fc.option(fc.constantFrom("text/plain", "application/xml", "application/json; charset=utf-8", "multipart/form-data"))) as fc.Arbitrary<string | null>,
                ifMatch: fc.option(fc.oneof(printable, fc.constantFrom("\"1\"", "\"2\"", "*"))),
                // A missing identity often enough that otherwise valid writes reach 401 in every run, not just most.
                identity: fc.oneof({ arbitrary: fc.constant("fuzz-sub"), weight: 3 }, { arbitrary: fc.constant(null), weight: 1 },
                    { arbitrary: printable, weight: 1 }) as fc.Arbitrary<string | null>,
            });
            const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
            let sent = 0;
            const statuses = new Map<number | string, number>();
            await fc.assert(fc.asyncProperty(request, async r => {
                const headers: Record<string, string> = {};
                if (r.contentType !== null) headers["content-type"] = r.contentType;
                if (r.ifMatch !== null) headers["if-match"] = r.ifMatch;
                if (r.identity !== null) headers["x-authenticated-sub"] = r.identity;
                const withBody = r.body !== undefined && !["GET", "HEAD"].includes(r.method);
                const response = await fetch(`${service.url}${r.path}`, { method: r.method, headers, body: withBody ? r.body : undefined });
                await response.arrayBuffer();
                sent++;
                const counted = r.method === "PUT" ? `PUT ${response.status}` : response.status;
                statuses.set(counted, (statuses.get(counted) ?? 0) + 1);
                assert.ok(response.status < 500, `${r.method} ${r.path} ${JSON.stringify(headers)} ${String(r.body).slice(0, 200)} → ${response.status}`);
            }), { numRuns: 1000, seed });
            assert.strictEqual(sent, 1000);
            // The generator must reach the interesting answers, not only 404s.
            for (const status of [200, 400, 404, 405, "PUT 201", "PUT 200", "PUT 412", "PUT 400", "PUT 401"]) {
                assert.ok((statuses.get(status) ?? 0) > 0, `no ${status} among ${JSON.stringify([...statuses])} (seed ${seed})`);
            }
            const after = await Promise.all(kept.map(i => call(service.url, "GET", `/petstore/pets/${i}`).then(r => r.body)));
            assert.deepStrictEqual(after, before);
        } finally {
            await service.app.close();
        }
    });

    it("lets exactly one of 20 concurrent PUTs with the same If-Match win; the rest get 412 and nothing is lost", async () => {
        const service = await startService(db, pet);
        try {
            await call(service.url, "PUT", "/petstore/pets/race", { body: { name: "start", species: "dog" }, headers: AS_ALICE });
            const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => call(service.url, "PUT", "/petstore/pets/race", {
                body: { name: `writer-${i}`, species: "dog" },
                headers: { "x-authenticated-sub": `writer-${i}`, "if-match": "\"1\"" },
            })));
            const won = replies.filter(r => r.status === 200);
            assert.strictEqual(won.length, 1, JSON.stringify(replies.map(r => r.status)));
            assert.strictEqual(replies.filter(r => r.status === 412).length, 19);
            const final = await call(service.url, "GET", "/petstore/pets/race");
            assert.strictEqual(final.body.version, 2);
            assert.strictEqual(final.body.name, won[0].body.name);
            assert.strictEqual(final.body.updatedBy, won[0].body.updatedBy);
        } finally {
            await service.app.close();
        }
    });

    /** Runs petstore as its own process, the way its container does (compiled there, transpiled here). */
    function run(env: Record<string, string>): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "services/petstore/main.ts"], {
            cwd: ROOT,
            env: { PATH: process.env.PATH ?? "", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", LOG_LEVEL: "warn", ...env },
        });
        let output = "";
        child.stdout!.on("data", d => { output += d; });
        child.stderr!.on("data", d => { output += d; });
        return { child, exit: new Promise(resolve => child.on("exit", code => resolve(code))), output: () => output };
    }

    it("fails fast, naming every missing variable, when its environment is incomplete", async () => {
        const { exit, output } = run({ PORT: "http" });
        assert.strictEqual(await exit, 1);
        assert.match(output(), /petstore: invalid environment: TABLE_NAME is not set; AWS_REGION is not set; PORT must be an integer from 1 to 65535, got "http"/);
    });

    it("on SIGTERM finishes the requests in flight, then exits 0", async function () {
        this.timeout(30_000);
        const service = await startService(db, pet);
        await service.app.close();
        // Between the service and dynalite: every DynamoDB call takes 500 ms, so requests are surely in flight.
        const proxy = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", c => chunks.push(c));
            req.on("end", () => setTimeout(() => {
                const upstream = http.request(`${db.endpoint}${req.url}`, { method: req.method, headers: req.headers }, up => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                });
                upstream.end(Buffer.concat(chunks));
            }, 500));
        });
        await new Promise<void>(resolve => proxy.listen(0, "127.0.0.1", resolve));
        const port = 20_000 + Math.floor(Math.random() * 20_000);
        const proc = run({ TABLE_NAME: service.tableName, AWS_REGION: "us-east-1", PORT: String(port), DYNAMODB_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
        try {
            const url = `http://127.0.0.1:${port}`;
            for (let i = 0; ; i++) {
                const up = await fetch(`${url}/health`).then(r => r.ok, () => false);
                if (up) break;
                assert.ok(i < 100, `the service did not start: ${proc.output()}`);
                await new Promise(resolve => setTimeout(resolve, 100));
            }
            const inFlight = Array.from({ length: 10 }, (_, i) => call(url, "PUT", `/petstore/pets/drain-${i}`, { body: { name: `d${i}`, species: "fish" }, headers: AS_ALICE }));
            await new Promise(resolve => setTimeout(resolve, 200));
            proc.child.kill("SIGTERM");
            const replies = await Promise.all(inFlight);
            assert.deepStrictEqual(replies.map(r => r.status), Array(10).fill(201), proc.output());
            assert.strictEqual(await proc.exit, 0, proc.output());
            await assert.rejects(fetch(`${url}/health`), "nothing listens after the exit");
        } finally {
            proc.child.kill("SIGKILL");
            await new Promise<void>(resolve => proxy.close(() => resolve()));
        }
    });
});
