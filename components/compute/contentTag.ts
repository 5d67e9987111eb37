import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Folders a build context holds that are not source: installed or built output. */
const SKIPPED = new Set(["node_modules", "dist", ".git"]);

/**
 * A tag that changes exactly when the build would: a digest of every source file under `context` (path and content)
 * and the build arguments. Immutable ECR tags need a new tag for new code, and the same tag for the same code keeps
 * `pulumi up` from pushing (and replacing tasks) when nothing changed.
 */
export function contentTag(context: string, buildArgs: Record<string, string>): string {
    const hash = crypto.createHash("sha256");
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!SKIPPED.has(entry.name)) {
                    walk(full);
                }
            } else if (entry.isFile()) {
                hash.update(path.relative(context, full)).update("\0").update(fs.readFileSync(full)).update("\0");
            }
        }
    };
    walk(context);
    hash.update(JSON.stringify(Object.entries(buildArgs).sort()));
    return `src-${hash.digest("hex").slice(0, 20)}`;
}
