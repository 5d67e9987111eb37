/**
 * What a reviewer approves: the plan against the committed one. Resources are matched by type and name; a changed
 * resource lists each input that changed, by path, old → new.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../mock";

/** One resource as plan.json records it. */
export interface PlannedResource {
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly inputs?: Record<string, unknown>;
}

export interface PlanDiff {
    readonly added: string[];
    readonly removed: string[];
    /** `<type> <name>` and each changed input: `path: old → new`. */
    readonly changed: { resource: string; changes: string[] }[];
}

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs as plan.json keeps them: secret values replaced, so a committed plan never holds one, and paths inside the
 * checkout made relative, so the plan of a clone anywhere is the same file.
 */
export function redactSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (typeof value === "object" && value !== null) {
        if ((value as Record<string, unknown>)[SECRET_KEY] === SECRET_SIG) return "[secret]";
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
    }
    if (typeof value === "string" && (value === PROJECT_DIR || value.startsWith(PROJECT_DIR + path.sep))) {
        return `.${value.slice(PROJECT_DIR.length)}`;
    }
    return value;
}

/** The plan.json committed for `stack` at `ref`, or undefined when there is none. */
export function committedPlan(stack: string, ref: string): { resources: { all: PlannedResource[] } } | undefined {
    try {
        return JSON.parse(execFileSync("git", ["show", `${ref}:plan/${stack}/plan.json`], { cwd: PROJECT_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 }));
    } catch {
        return undefined;
    }
}

const shown = (v: unknown) => {
    const text = JSON.stringify(v) ?? "(unset)";
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** Paths where two input trees differ, with both values. */
function changes(before: unknown, after: unknown, at: string, out: string[]): void {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    const bothObjects = typeof before === "object" && before !== null && typeof after === "object" && after !== null
        && Array.isArray(before) === Array.isArray(after);
    if (!bothObjects) {
        out.push(`${at || "(inputs)"}: ${shown(before)} → ${shown(after)}`);
        return;
    }
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    for (const key of keys) {
        changes((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], at ? `${at}.${key}` : key, out);
    }
}

export function diffPlans(before: readonly PlannedResource[], after: readonly PlannedResource[]): PlanDiff {
    const key = (r: PlannedResource) => `${r.type} ${r.name}`;
    const old = new Map(before.map(r => [key(r), r]));
    const now = new Map(after.map(r => [key(r), r]));
    return {
        added: [...now.keys()].filter(k => !old.has(k)),
        removed: [...old.keys()].filter(k => !now.has(k)),
        changed: [...now.keys()].filter(k => old.has(k)).flatMap(k => {
            const found: string[] = [];
            changes(old.get(k)!.inputs ?? {}, now.get(k)!.inputs ?? {}, "", found);
            return found.length === 0 ? [] : [{ resource: k, changes: found }];
        }),
    };
}

export function renderDiff(diff: PlanDiff, against: string): string {
    const total = diff.added.length + diff.removed.length + diff.changed.length;
    return [
        `Changes against ${against}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed${total === 0 ? " (none)" : ""}`,
        ...diff.added.map(r => `  + ${r}`),
        ...diff.removed.map(r => `  - ${r}`),
        ...diff.changed.flatMap(c => [`  ~ ${c.resource}`, ...c.changes.map(ch => `      ${ch}`)]),
    ].join("\n");
}
