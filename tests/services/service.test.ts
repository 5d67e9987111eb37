import * as assert from "assert";
import { food } from "../../services/foodstore/main";
import { pet } from "../../services/petstore/main";
import { AS_ALICE, call, Dynalite, Reply, startDynalite, startService } from "./harness";

const REX = { name: "Rex", species: "dog" };

function isJsonError(reply: Reply): void {
    assert.strictEqual(typeof reply.body, "object", `status ${reply.status} without a JSON body: ${String(reply.body)}`);
    assert.strictEqual(typeof reply.body.error, "string");
    assert.strictEqual(typeof reply.body.message, "string");
}

describe("service core (petstore against dynalite)", () => {
    let db: Dynalite;
    let url: string;
    let stop: () => Promise<void>;
    before(async () => {
        db = await startDynalite();
        const service = await startService(db, pet);
        url = service.url;
        stop = () => service.app.close();
    });
    after(async () => {
        await stop();
        await db.close();
    });

    it("answers /health", async () => {
        assert.deepStrictEqual((await call(url, "GET", "/health")).body, { status: "ok" });
    });

    it("creates with 201, reads back with an ETag, updates with 200 and a new version, recording the writer", async () => {
        assert.strictEqual((await call(url, "GET", "/petstore/pets/rex")).status, 404);
        const created = await call(url, "PUT", "/petstore/pets/rex", { body: REX, headers: AS_ALICE });
        assert.strictEqual(created.status, 201);
        assert.strictEqual(created.headers.get("etag"), "\"1\"");
        assert.deepStrictEqual({ ...created.body, updatedAt: undefined }, { ...REX, petId: "rex", version: 1, updatedBy: "alice-sub", updatedAt: undefined });
        const read = await call(url, "GET", "/petstore/pets/rex");
        assert.strictEqual(read.status, 200);
        assert.strictEqual(read.headers.get("etag"), "\"1\"");
        assert.deepStrictEqual(read.body, created.body);
        const updated = await call(url, "PUT", "/petstore/pets/rex", { body: { ...REX, petId: "rex", birthYear: 2020 }, headers: { "x-authenticated-sub": "bob-sub" } });
        assert.strictEqual(updated.status, 200);
        assert.strictEqual(updated.headers.get("etag"), "\"2\"");
        assert.strictEqual(updated.body.updatedBy, "bob-sub");
        assert.strictEqual(updated.body.birthYear, 2020);
    });

    it("makes If-Match a conditional write: the current version wins, a stale or unknown one gets 412", async () => {
        await call(url, "PUT", "/petstore/pets/tom", { body: { name: "Tom", species: "cat" }, headers: AS_ALICE });
        const ok = await call(url, "PUT", "/petstore/pets/tom", { body: { name: "Tom", species: "cat", birthYear: 2019 }, headers: { ...AS_ALICE, "if-match": "\"1\"" } });
        assert.strictEqual(ok.status, 200);
        for (const ifMatch of ["\"1\"", "\"7\"", "W/\"2\"", "junk"]) {
            const stale = await call(url, "PUT", "/petstore/pets/tom", { body: { name: "Lost", species: "cat" }, headers: { ...AS_ALICE, "if-match": ifMatch } });
            assert.strictEqual(stale.status, 412, ifMatch);
            isJsonError(stale);
        }
        const missing = await call(url, "PUT", "/petstore/pets/nobody", { body: REX, headers: { ...AS_ALICE, "if-match": "\"1\"" } });
        assert.strictEqual(missing.status, 412);
        assert.strictEqual((await call(url, "GET", "/petstore/pets/nobody")).status, 404);
        assert.strictEqual((await call(url, "GET", "/petstore/pets/tom")).body.name, "Tom");
    });

    it("takes If-Match: * as 'any version, but it must exist' and If-None-Match: * as 'create only'", async () => {
        const put = (id: string, headers: Record<string, string>) =>
            call(url, "PUT", `/petstore/pets/${id}`, { body: { name: id, species: "bird" }, headers: { ...AS_ALICE, ...headers } });
        assert.strictEqual((await put("star", { "if-match": "*" })).status, 412, "If-Match: * on a missing item");
        assert.strictEqual((await put("star", { "if-none-match": "*" })).status, 201);
        assert.strictEqual((await put("star", { "if-none-match": "*" })).status, 412, "create-only must not overwrite");
        const replaced = await put("star", { "if-match": "*" });
        assert.strictEqual(replaced.status, 200);
        assert.strictEqual(replaced.headers.get("etag"), "\"2\"");
        assert.strictEqual((await put("star", { "if-none-match": "\"2\"" })).status, 412);
    });

    it("pages through the whole table with an opaque cursor, each item once", async () => {
        const fresh = await startService(db, pet);
        try {
            const ids = Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, "0")}`);
            await Promise.all(ids.map(id => call(fresh.url, "PUT", `/petstore/pets/${id}`, { body: REX, headers: AS_ALICE })));
            const seen: string[] = [];
            let cursor: string | null = null;
            let pages = 0;
            do {
                const page: Reply = await call(fresh.url, "GET", `/petstore/pets?limit=10${cursor ? `&cursor=${cursor}` : ""}`);
                assert.strictEqual(page.status, 200);
                assert.ok(page.body.items.length <= 10);
                seen.push(...page.body.items.map((i: { petId: string }) => i.petId));
                cursor = page.body.cursor;
                pages++;
            } while (cursor !== null && pages < 10);
            assert.ok(pages >= 3, `${pages} pages`);
            assert.deepStrictEqual([...seen].sort(), ids);
        } finally {
            await fresh.app.close();
        }
    });

    it("answers 404 for unknown routes, 405 with Allow for wrong methods, 413 for oversized bodies", async () => {
        const unknown = await call(url, "GET", "/petstore/cats");
        assert.strictEqual(unknown.status, 404);
        isJsonError(unknown);
        const del = await call(url, "DELETE", "/petstore/pets/rex");
        assert.strictEqual(del.status, 405);
        assert.strictEqual(del.headers.get("allow"), "GET, HEAD, PUT");
        const post = await call(url, "POST", "/petstore/pets", { body: REX });
        assert.strictEqual(post.status, 405);
        assert.strictEqual(post.headers.get("allow"), "GET, HEAD");
        const big = await call(url, "PUT", "/petstore/pets/big", { body: { ...REX, name: "x".repeat(20_000) }, headers: AS_ALICE });
        assert.strictEqual(big.status, 413);
        isJsonError(big);
    });

    it("refuses a write that did not come through the API (no identity header) with 401", async () => {
        const anonymous = await call(url, "PUT", "/petstore/pets/anon", { body: REX });
        assert.strictEqual(anonymous.status, 401);
        assert.strictEqual((await call(url, "GET", "/petstore/pets/anon")).status, 404);
    });

    const json = { "content-type": "application/json", ...AS_ALICE };
    const BAD: [string, string, string, { body?: unknown; raw?: string; headers?: Record<string, string> }, number][] = [
        ["malformed JSON", "PUT", "/petstore/pets/x", { raw: "{\"name\": ", headers: json }, 400],
        ["JSON that is not an object", "PUT", "/petstore/pets/x", { raw: "[1,2]", headers: json }, 400],
        ["a JSON string", "PUT", "/petstore/pets/x", { raw: "\"rex\"", headers: json }, 400],
        ["null", "PUT", "/petstore/pets/x", { raw: "null", headers: json }, 400],
        ["an empty body", "PUT", "/petstore/pets/x", { raw: "", headers: json }, 400],
        ["a missing required field", "PUT", "/petstore/pets/x", { body: { name: "Rex" }, headers: AS_ALICE }, 400],
        ["a wrong type", "PUT", "/petstore/pets/x", { body: { name: 42, species: "dog" }, headers: AS_ALICE }, 400],
        ["a number as a string", "PUT", "/petstore/pets/x", { body: { ...REX, birthYear: "2020" }, headers: AS_ALICE }, 400],
        ["a value outside its enum", "PUT", "/petstore/pets/x", { body: { name: "Rex", species: "dragon" }, headers: AS_ALICE }, 400],
        ["an out-of-range number", "PUT", "/petstore/pets/x", { body: { ...REX, birthYear: 3000 }, headers: AS_ALICE }, 400],
        ["a fraction for an integer", "PUT", "/petstore/pets/x", { body: { ...REX, birthYear: 2020.5 }, headers: AS_ALICE }, 400],
        ["an unknown field", "PUT", "/petstore/pets/x", { body: { ...REX, owner: "me" }, headers: AS_ALICE }, 400],
        ["a server-owned field", "PUT", "/petstore/pets/x", { body: { ...REX, version: 99 }, headers: AS_ALICE }, 400],
        ["a body id unlike the path id", "PUT", "/petstore/pets/x", { body: { ...REX, petId: "y" }, headers: AS_ALICE }, 400],
        ["an empty name", "PUT", "/petstore/pets/x", { body: { name: "", species: "dog" }, headers: AS_ALICE }, 400],
        ["duplicate tags", "PUT", "/petstore/pets/x", { body: { ...REX, tags: ["a", "a"] }, headers: AS_ALICE }, 400],
        ["an id with a bad character", "PUT", "/petstore/pets/a$b", { body: REX, headers: AS_ALICE }, 400],
        ["an id that is too long", "GET", `/petstore/pets/${"a".repeat(65)}`, {}, 400],
        ["an encoded slash in the id", "GET", "/petstore/pets/a%2Fb", {}, 400],
        ["a text body", "PUT", "/petstore/pets/x", { raw: "name=Rex", headers: { "content-type": "text/plain", ...AS_ALICE } }, 415],
        ["a form body", "PUT", "/petstore/pets/x", { raw: "name=Rex", headers: { "content-type": "application/x-www-form-urlencoded", ...AS_ALICE } }, 415],
        ["limit 0", "GET", "/petstore/pets?limit=0", {}, 400],
        ["limit 101", "GET", "/petstore/pets?limit=101", {}, 400],
        ["a non-numeric limit", "GET", "/petstore/pets?limit=ten", {}, 400],
        ["a forged cursor", "GET", "/petstore/pets?cursor=bm90LWEtY3Vyc29y", {}, 400],
        ["a cursor with a bad id", "GET", `/petstore/pets?cursor=${Buffer.from(JSON.stringify({ after: "a b" })).toString("base64url")}`, {}, 400],
        ["an unknown query parameter", "GET", "/petstore/pets?sort=name", {}, 400],
        ["a query parameter on an item read", "GET", "/petstore/pets/x?expand=all", {}, 400],
        ["a query parameter on a write", "PUT", "/petstore/pets/x?upsert=false", { body: REX, headers: AS_ALICE }, 400],
        ["an identity header with spaces", "PUT", "/petstore/pets/x", { body: REX, headers: { "x-authenticated-sub": "a b" } }, 401],
    ];
    for (const [what, method, path, options, status] of BAD) {
        it(`answers ${what} with ${status} and a JSON error${path.startsWith("/petstore/pets/x") ? ", storing nothing" : ""}`, async () => {
            const reply = await call(url, method, path, options);
            assert.strictEqual(reply.status, status, JSON.stringify(reply.body));
            isJsonError(reply);
            if (path.startsWith("/petstore/pets/x")) {
                assert.strictEqual((await call(url, "GET", "/petstore/pets/x")).status, 404);
            }
        });
    }
});

describe("foodstore: the same core, its own entity", () => {
    let db: Dynalite;
    let service: Awaited<ReturnType<typeof startService>>;
    before(async () => {
        db = await startDynalite();
        service = await startService(db, food);
    });
    after(async () => {
        await service.app.close();
        await db.close();
    });

    it("serves /foodstore/foods keyed by foodId with its own schema", async () => {
        const put = await call(service.url, "PUT", "/foodstore/foods/kale", { body: { foodId: "kale", name: "Kale", priceCents: 299, vegan: true }, headers: AS_ALICE });
        assert.strictEqual(put.status, 201);
        assert.strictEqual(put.body.foodId, "kale");
        assert.strictEqual((await call(service.url, "PUT", "/foodstore/foods/kale", { body: { name: "Kale", species: "dog" }, headers: AS_ALICE })).status, 400);
        assert.strictEqual((await call(service.url, "GET", "/petstore/pets/kale")).status, 404);
    });
});
