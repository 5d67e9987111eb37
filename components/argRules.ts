import * as pulumi from "@pulumi/pulumi";

/**
 * A rule over a component's arguments, shared with the stack config: it returns what the value must be (phrased to
 * read after "must"), or undefined when the value is fine. The component and the config each name the fields in
 * their own words, so a rule takes the names it mentions.
 */
export type ArgRule = string | undefined;

/** An argument's path in the component's args (`appliance.healthCheck.port`) and the rule it broke. */
export interface ArgViolation {
    readonly path: string;
    readonly rule: string;
}

/**
 * Throws a `pulumi.ResourceError` naming the component, its name and every broken argument, before the component
 * registers any child.
 */
export function checkArgs(component: pulumi.ComponentResource, type: string, name: string, checks: ReadonlyArray<[string, ArgRule]>): void {
    const violations: ArgViolation[] = checks.filter((c): c is [string, string] => c[1] !== undefined).map(([path, rule]) => ({ path, rule }));
    if (violations.length > 0) {
        throw new pulumi.ResourceError(`${type} ${name}: ${violations.map(v => `args.${v.path} must ${v.rule}`).join("; ")}`, component);
    }
}

/** A string argument that takes one of a few values: the schema types it as a string, so the component checks it. */
export function oneOfValues(value: string, allowed: readonly string[]): ArgRule {
    return allowed.includes(value) ? undefined : `be one of ${allowed.map(v => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(value)}`;
}

/**
 * A value that decides how many resources exist (a CIDR, an AZ list, a list of subnet CIDRs) must be known while the
 * program runs. From another language, through the component provider, another resource's output arrives as an
 * Output even when its value is known: refused here, with a name, rather than planning the wrong number of resources.
 */
export function knownNow(value: unknown, elementsToo = true): ArgRule {
    const pending = (v: unknown): boolean => pulumi.Output.isInstance(v) || (typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function");
    const listPending = elementsToo && Array.isArray(value) && value.some(pending);
    return pending(value) || listPending
        ? `be known while the program runs (${elementsToo ? "a literal or a config value" : "a list, whose items may be outputs"}), ` +
            "not another resource's output: it decides how many resources exist"
        : undefined;
}
