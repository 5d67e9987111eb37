import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { createMocks, MOCK_ACCOUNT_ID } from "./mocks";
import { AWS_REGIONS, UnknownRegionError } from "./regions";
import { Registration, ResourceRegistry } from "./registry";
import { T } from "./types";
import { ConfigValue, PROJECT_DIR, resolveStackConfig, STACK_PROGRAM, StackConfigSource } from "./stackConfig";

/** What to run and with which config. */
export interface RunOptions {
    /** Stack whose `Pulumi.<stack>.yaml` supplies the config. Default `dev`. */
    readonly stack?: string;
    /** Config on top of the stack file; keys without a namespace belong to the project. */
    readonly config?: Readonly<Record<string, ConfigValue>>;
    /**
     * The program: a module path (default: the project's stack.ts), required afresh after the mocks are set, or a
     * function that registers resources through the components' public API.
     */
    readonly program?: string | (() => unknown);
    /** Outputs of other stacks, by name, for the program's StackReferences: other planned runs' `outputs`. */
    readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
    /** Environment to read `PULUMI_CONFIG` from. Default: this process's. */
    readonly env?: NodeJS.ProcessEnv;
}

/** Everything one mocked program run produced. */
export interface ProgramRun {
    readonly source: StackConfigSource;
    readonly region: string;
    /** The account the run deploys to: the stack's `aws:allowedAccountIds` pins it, as it would for `pulumi up`. */
    readonly accountId: string;
    readonly resources: ResourceRegistry;
    /** The program's exports with every Output resolved: the stack outputs `pulumi up` would show. */
    readonly outputs: Record<string, unknown>;
    /** Set when the program threw, an Output rejected, or the program logged an error. */
    readonly error?: Error;
}

const DEFAULT_REGION = "us-east-1";
/** The program's own modules: everything in the project but dependencies, this harness and the tests. */
const PROGRAM_MODULES = new RegExp(`^${escape(PROJECT_DIR + path.sep)}(?!(node_modules|tools|tests)${escape(path.sep)})`);

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Runs are serialized: the Pulumi runtime's state is one per process. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program under Pulumi's mock runtime and collects every registration. Never throws for a failing program:
 * the failure is in `error`, beside whatever registered before it.
 */
export function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
    const run = queue.then(() => runExclusive(options));
    queue = run.catch(() => undefined);
    return run;
}

async function runExclusive(options: RunOptions): Promise<ProgramRun> {
    const source = resolveStackConfig(options.stack ?? "dev", options.config, options.env);
    const region = source.config["aws:region"] ?? DEFAULT_REGION;
    if (!AWS_REGIONS.includes(region)) {
        throw new UnknownRegionError(region);
    }
    const accountId = pinnedAccount(source.config["aws:allowedAccountIds"]) ?? MOCK_ACCOUNT_ID;
    const registrations: Registration[] = [];
    const failures: Error[] = [];
    // A failed registration never releases its hold on the runtime, so waiting stops at the first failure.
    let failed!: () => void;
    const failure = new Promise<void>(resolve => { failed = resolve; });
    const fail = (reason: unknown) => {
        failures.push(asError(reason));
        failed();
    };
    process.on("unhandledRejection", fail);
    // The SDK reads `new Error().stack` for every promise it makes; ts-node's source-map-support would map each
    // frame through source maps, which took two thirds of a run.
    const errorClass = Error as { prepareStackTrace?: unknown };
    const prepareStackTrace = errorClass.prepareStackTrace;
    errorClass.prepareStackTrace = undefined;
    // Those stacks (one per promise, for leak reports nobody reads here) were still a third of a large run: capture
    // none. A failure keeps its message, which is all a mock run reports.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
        Error.stackTraceLimit = 0;
    }

    let outputs: Record<string, unknown> = {};
    try {
        pulumi.runtime.setAllConfig(source.config);
        await pulumi.runtime.setMocks(createMocks({ region, accountId, stackOutputs: options.stackOutputs }), source.project, source.stack, false);
        recordRegistrations(registrations);
        // The root stack resource parents everything, as under `pulumi up`; its outputs are the exports, resolved.
        const program = pulumi.runtime.runInPulumiStack(async () => {
            const loaded = typeof options.program === "function"
                ? options.program
                : requireFresh(options.program ?? STACK_PROGRAM);
            // Like Pulumi's own harness: an exported function is the program, and its result the outputs.
            return loaded instanceof Function ? loaded() : loaded;
        });
        outputs = (await Promise.race([program.catch(fail), failure])) ?? {};
        await Promise.race([pulumi.runtime.disconnect(), failure]);
        await quiesce(registrations);
        if (failures.length === 0 && pulumi.log.hasErrors()) {
            failures.push(new Error("the program logged errors (see stderr)"));
        }
    } finally {
        process.off("unhandledRejection", fail);
        errorClass.prepareStackTrace = prepareStackTrace;
        Error.stackTraceLimit = stackTraceLimit;
        // Forget this run's promises, so a failed run's stranded ones are not reported as leaks at exit.
        await pulumi.runtime.setMocks(IDLE_MOCKS);
    }
    // The root stack belongs to the harness, not the program: "nothing registered" means nothing but it.
    const programResources = registrations.filter(r => r.type !== T.stack);
    return { source, region, accountId, resources: new ResourceRegistry(programResources), outputs, error: failures[0] };
}

/** The first account of `aws:allowedAccountIds` (a JSON list, as the runtime stores it), if the stack pins one. */
function pinnedAccount(value: string | undefined): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    const accounts = JSON.parse(value) as unknown;
    return Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : undefined;
}

/**
 * Between runs nothing may register: a registration arriving between runs fails loudly. Pulumi cannot tell which
 * run a registration belongs to, so one that a program defers past its own end (a timer, say) and that lands
 * during a later run is counted there; `pulumi up` would not wait for such a resource either.
 */
const IDLE_MOCKS: pulumi.runtime.Mocks = {
    newResource: args => { throw new Error(`${args.type} ${args.name} registered after its program run ended`); },
    call: args => { throw new Error(`invoke ${args.token} after its program run ended`); },
};

/** The SDK wraps a failure once per property it was serializing; the innermost message is the one that matters. */
function asError(reason: unknown): Error {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    const message = error.message.replace(/^(error serializing property "[^"]*": )+/, "");
    if (message === error.message) {
        return error;
    }
    const cleaned = new Error(message, { cause: error });
    cleaned.name = error.name;
    return cleaned;
}

/** Wraps the mock monitor so each registration is recorded with its parent, dependencies and resolved state. */
function recordRegistrations(into: Registration[]): void {
    // The monitor setMocks installed; its registerResource sees the request the engine would.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void>;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => register(req, (err, resp) => {
        if (!err) {
            const dependencies: string[] = req.getDependenciesList();
            const implied = new Set<string>();
            req.getPropertydependenciesMap().forEach((deps: { getUrnsList(): string[] }) => {
                deps.getUrnsList().forEach(urn => implied.add(urn));
            });
            const inputs = pulumi.runtime.deserializeProperties(req.getObject());
            into.push({
                urn: resp.getUrn(),
                type: req.getType(),
                name: req.getName(),
                custom: req.getCustom(),
                parent: req.getParent() || undefined,
                dependencies,
                explicitDependencies: dependencies.filter(urn => !implied.has(urn)),
                inputs,
                state: pulumi.runtime.deserializeProperties(resp.getObject()),
                id: resp.getId() || undefined,
                retainOnDelete: req.getRetainondelete() ?? false,
            });
        }
        callback(err, resp);
    });
}

/**
 * Each run loads the program's modules afresh, and under ts-node that meant transpiling every one of them again: half
 * of a dev-stack run. Keep the JavaScript of each TypeScript file and reuse it while the file's text is unchanged.
 */
function reuseTranspiledModules(): void {
    const extensions = require.extensions as Record<string, (m: NodeJS.Module, filename: string) => void>;
    const transpile = extensions[".ts"];
    if (!transpile) {
        return;
    }
    const transpiled = new Map<string, { source: string; js: string }>();
    type Compiling = NodeJS.Module & { _compile(code: string, filename: string): unknown };
    const reusing = (m: NodeJS.Module, filename: string) => {
        const source = fs.readFileSync(filename, "utf8");
        const known = transpiled.get(filename);
        const module = m as Compiling;
        if (known?.source === source) {
            module._compile(known.js, filename);
            return;
        }
        // ts-node wraps _compile to transpile before compiling; wrapped underneath, this one sees the JavaScript.
        const compile = module._compile;
        module._compile = function (js: string, name: string) {
            transpiled.set(filename, { source, js });
            return compile.call(this, js, name);
        };
        transpile(m, filename);
    };
    extensions[".ts"] = reusing;
}

reuseTranspiledModules();

/**
 * Examples import the package by its name, as a user's program does. Inside this checkout that name means the
 * source (`index.ts`), as tsconfig's `paths` says for the type checker, never a `dist/` that may be stale; the
 * packed package is tested as such by `npm run test:package`.
 */
function resolvePackageToSource(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Module = require("module") as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const resolve = Module._resolveFilename;
    const packageRoot = path.join(PROJECT_DIR, "index.ts");
    Module._resolveFilename = function (request: string, ...rest: unknown[]) {
        return resolve.call(this, request === "inspected-api" ? packageRoot : request, ...rest);
    };
}
resolvePackageToSource();

/** Requires the program anew so top-level code registers its resources again under the current mocks. */
export function requireFresh(modulePath: string): unknown {
    const entry = require.resolve(path.resolve(modulePath));
    for (const cached of Object.keys(require.cache)) {
        // The entry itself too: a user's program may live outside the project.
        if (PROGRAM_MODULES.test(cached) || cached === entry) {
            delete require.cache[cached];
        }
    }
    // A dynamic require on purpose: the program registers its resources as a side effect of loading.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(entry);
}

/** Registrations made inside `apply` callbacks land after the values they wait for; wait until none arrive. */
async function quiesce(registrations: Registration[]): Promise<void> {
    let stableTurns = 0;
    let seen = registrations.length;
    while (stableTurns < 3) {
        await new Promise(resolve => setImmediate(resolve));
        stableTurns = registrations.length === seen ? stableTurns + 1 : 0;
        seen = registrations.length;
    }
}
