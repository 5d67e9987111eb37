/**
 * `npm run plan` in this process, for the tests of the command itself: its exit code and what it prints, written
 * to scratch directories that are removed after the run, so tests never touch the committed plan/.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../tools/plan";

const scratch: string[] = [];
after(() => scratch.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

/** A directory for a plan to write to that does not exist yet. */
export function outDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    scratch.push(dir);
    return path.join(dir, "out");
}

export interface Captured {
    readonly code: number;
    readonly out: string;
    readonly err: string;
}

/** Runs the plan with exactly these arguments and captures what it prints. */
export async function capture(argv: string[]): Promise<Captured> {
    const out: string[] = [];
    const err: string[] = [];
    const [log, error] = [console.log, console.error];
    console.log = (...a: unknown[]) => out.push(a.join(" "));
    console.error = (...a: unknown[]) => err.push(a.join(" "));
    try {
        const code = await main(argv);
        return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
        [console.log, console.error] = [log, error];
    }
}

/** Runs the plan, writing to a fresh scratch directory unless `--out` says where. */
export async function plan(...argv: string[]): Promise<Captured & { dir: string }> {
    const dir = outDir();
    return { ...await capture(argv.includes("--out") ? argv : [...argv, "--out", dir]), dir };
}
