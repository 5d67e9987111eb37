/**
 * The one test kit: a thin layer over the mock runtime core in tools/mock, which `npm run plan` uses too. Every
 * infrastructure test runs the program (or a component through its public API) with {@link deploy} or
 * {@link deployInvalid} and queries the registrations.
 */
import { ProgramRun, runProgram, RunOptions } from "../../tools/mock";

export * from "../../tools/mock";


/** Runs of the same stack and config, shared across test files: a run is deterministic and tests only read it. */
const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Runs the program and fails with the program's own error if it did not plan cleanly. Runs of a module program
 * (the default) are memoized by their options; a program given as a function runs every time.
 */
export function deploy(options: RunOptions = {}): Promise<ProgramRun> {
    const key = typeof options.program === "function" ? undefined : JSON.stringify(options);
    const cached = key === undefined ? undefined : runs.get(key);
    if (cached) {
        return cached;
    }
    const run = runProgram(options).then(result => {
        if (result.error) {
            throw new Error(`the program failed under mocks: ${result.error.message}`, { cause: result.error });
        }
        return result;
    });
    if (key !== undefined) {
        runs.set(key, run);
    }
    return run;
}

/** Runs the program expecting it to fail; fails if it planned cleanly. */
export async function deployInvalid(options: RunOptions = {}): Promise<ProgramRun & { error: Error }> {
    const run = await runProgram(options);
    if (!run.error) {
        throw new Error(`expected the program to fail with config ${JSON.stringify(options.config ?? {})}, but it planned ${run.resources.size} resources`);
    }
    return run as ProgramRun & { error: Error };
}
