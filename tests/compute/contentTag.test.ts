import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contentTag } from "../../components/compute/contentTag";

describe("image content tag", () => {
    it("changes with source content and build arguments, not with installed or built output", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tag-"));
        fs.mkdirSync(path.join(dir, "core"));
        fs.writeFileSync(path.join(dir, "core", "app.ts"), "one");
        const first = contentTag(dir, { SERVICE: "petstore" });
        assert.match(first, /^src-[0-9a-f]{20}$/);
        assert.strictEqual(contentTag(dir, { SERVICE: "petstore" }), first, "stable for the same source");
        assert.notStrictEqual(contentTag(dir, { SERVICE: "foodstore" }), first);
        for (const skipped of ["node_modules", "dist"]) {
            fs.mkdirSync(path.join(dir, skipped));
            fs.writeFileSync(path.join(dir, skipped, "x.js"), "built");
        }
        assert.strictEqual(contentTag(dir, { SERVICE: "petstore" }), first);
        fs.writeFileSync(path.join(dir, "core", "app.ts"), "two");
        assert.notStrictEqual(contentTag(dir, { SERVICE: "petstore" }), first);
        fs.rmSync(dir, { recursive: true });
    });
});
