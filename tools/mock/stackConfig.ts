import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** A config value as a user writes it: on the command line, in a test, or in a stack file. */
export type ConfigValue = string | number | boolean | object;

/** The config a program run sees, shaped as the Pulumi CLI hands it over in PULUMI_CONFIG. */
export interface StackConfigSource {
    readonly project: string;
    readonly stack: string;
    /** Fully qualified keys (`namespace:key`) to string values, as the runtime stores them. */
    readonly config: Readonly<Record<string, string>>;
    /** Where each key's value came from: the stack file, PULUMI_CONFIG, or a --config override. */
    readonly origins?: Readonly<Record<string, string>>;
}

/** A stack reference's stack: `org/project/stack` or a bare name, as the stack files here are named. */
export function stackNameOf(reference: string): string {
    return reference.split("/").pop()!;
}

/** The project root: the folder holding Pulumi.yaml. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
/** The stack program (Pulumi.yaml `main`); the package root, `index.ts`, only exports the components. */
export const STACK_PROGRAM = path.join(PROJECT_DIR, "stack.ts");

/** The stacks that have a `Pulumi.<stack>.yaml` in the project. */
export function listStacks(projectDir = PROJECT_DIR): string[] {
    return fs.readdirSync(projectDir)
        .map(file => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

export function readProjectName(projectDir = PROJECT_DIR): string {
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: unknown };
    if (typeof project?.name !== "string") {
        throw new Error(`${path.join(projectDir, "Pulumi.yaml")} has no project name`);
    }
    return project.name;
}

/**
 * What the Pulumi CLI would pass to the program, less the schema defaults the CLI adds (the program applies those
 * itself, so mocks and `pulumi up` agree): the stack file, then any `PULUMI_CONFIG` in the environment, then
 * `overrides`. Keys without a namespace belong to the project.
 */
export function resolveStackConfig(
    stack: string,
    overrides: Readonly<Record<string, ConfigValue>> = {},
    env: NodeJS.ProcessEnv = process.env,
    projectDir = PROJECT_DIR,
): StackConfigSource {
    const project = readProjectName(projectDir);
    const file = ["yaml", "yml"].map(ext => path.join(projectDir, `Pulumi.${stack}.${ext}`)).find(f => fs.existsSync(f));
    if (!file) {
        throw new Error(`stack "${stack}" has no Pulumi.${stack}.yaml; stacks here: ${listStacks(projectDir).join(", ") || "none"}`);
    }
    const stackFile = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, ConfigValue> };
    const fromEnv = env.PULUMI_CONFIG ? (JSON.parse(env.PULUMI_CONFIG) as Record<string, ConfigValue>) : {};

    const config: Record<string, string> = {};
    const origins: Record<string, string> = {};
    const layers: [Record<string, ConfigValue>, string][] = [[stackFile.config ?? {}, path.basename(file)], [fromEnv, "PULUMI_CONFIG"], [overrides as Record<string, ConfigValue>, "--config"]];
    for (const [layer, origin] of layers) {
        for (const [key, value] of Object.entries(layer)) {
            config[qualify(project, key)] = stringify(key, value);
            origins[qualify(project, key)] = origin;
        }
    }
    return { project, stack, config, origins };
}

/** `availabilityZoneCount` → `inspected-api:availabilityZoneCount`; `aws:config:region` → `aws:region`. */
function qualify(project: string, key: string): string {
    const parts = key.split(":");
    if (parts.length === 1) {
        return `${project}:${key}`;
    }
    return parts.length === 3 && parts[1] === "config" ? `${parts[0]}:${parts[2]}` : key;
}

function stringify(key: string, value: ConfigValue): string {
    if (value !== null && typeof value === "object" && "secure" in value) {
        throw new Error(`config ${key} is a secret; the mock runtime cannot decrypt it, so pass a plain override instead`);
    }
    return typeof value === "object" ? JSON.stringify(value) : String(value);
}
