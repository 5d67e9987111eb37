import { spawnSync } from "child_process";

/** What a command printed and how it ended. */
export interface Result { status: number | null; stdout: string; stderr: string }

/** Runs a command to its end; throws naming it when it fails, unless `allowFail`. */
export function run(command: string, args: readonly string[], options: { input?: string | Buffer; allowFail?: boolean; timeoutMs?: number } = {}): Result {
    const r = spawnSync(command, args, { input: options.input, encoding: "utf8", timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
    if (r.error) {
        throw new Error(`${command} ${args.join(" ")}: ${r.error.message}`);
    }
    if (!options.allowFail && r.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
