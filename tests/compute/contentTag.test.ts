import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contentTag } from "../../components/compute/contentTag";

describe("image content tag", () => {
    it("changes with the build context and build arguments, not with what .dockerignore leaves out", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tag-"));
        fs.writeFileSync(path.join(dir, ".dockerignore"), "node_modules\ndist\nDockerfile\n.dockerignore\nREADME.md\n");
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM node");
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
        fs.writeFileSync(path.join(dir, "README.md"), "docs");
        assert.strictEqual(contentTag(dir, { SERVICE: "petstore" }), first);
        // Docker builds by the Dockerfile even though the context leaves it out.
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM node:26");
        const rebuilt = contentTag(dir, { SERVICE: "petstore" });
        assert.notStrictEqual(rebuilt, first);
        fs.writeFileSync(path.join(dir, "core", "app.ts"), "two");
        assert.notStrictEqual(contentTag(dir, { SERVICE: "petstore" }), rebuilt);
        fs.rmSync(dir, { recursive: true });
    });
});
