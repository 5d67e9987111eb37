import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * What the build never sees: the names the context's `.dockerignore` lists (plain names, the only form used here) and
 * git's folder. The Dockerfile stays in the digest even when ignored: Docker still builds by it.
 */
function ignoredNames(context: string): Set<string> {
    const file = path.join(context, ".dockerignore");
    const listed = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").map(l => l.trim()).filter(l => l !== "" && !l.startsWith("#")) : [];
    return new Set([...listed, ".git"].filter(name => name !== "Dockerfile"));
}

/**
 * A tag that changes exactly when the build would: a digest of every file of the build context (path and content)
 * and the build arguments. Immutable ECR tags need a new tag for new code, and the same tag for the same code keeps
 * `pulumi up` from pushing (and replacing tasks) when nothing changed.
 */
export function contentTag(context: string, buildArgs: Record<string, string>): string {
    const skipped = ignoredNames(context);
    const hash = crypto.createHash("sha256");
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (skipped.has(entry.name)) {
                continue;
            }
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.isFile()) {
                hash.update(path.relative(context, full)).update("\0").update(fs.readFileSync(full)).update("\0");
            }
        }
    };
    walk(context);
    hash.update(JSON.stringify(Object.entries(buildArgs).sort()));
    return `src-${hash.digest("hex").slice(0, 20)}`;
}
