/**
 * Checks a Pulumi YAML program's use of this package against the inferred schema, as far as it can be checked
 * without the CLI: each resource's inputs (required, known, typed) and each `${resource.output}` reference.
 */
import { parse } from "yaml";
import { PACKAGE_NAME, PackageSchema, SchemaProperty } from "./schema";

interface YamlResource {
    readonly type: string;
    readonly properties?: Record<string, unknown>;
}

const REFERENCE = /^\$\{([A-Za-z][\w-]*)(?:\.([A-Za-z]\w*))?[^}]*\}$/;

export function checkYamlProgram(schema: PackageSchema, text: string): string[] {
    const program = parse(text) as { resources?: Record<string, YamlResource>; variables?: Record<string, unknown>; outputs?: Record<string, unknown> };
    const resources = program.resources ?? {};
    const variables = program.variables ?? {};
    const problems: string[] = [];
    const component = (type: string) => schema.resources[type];

    /** Whether a value must be known while the program runs: plain in the schema, or an object with such a field. */
    const planTime = (p: SchemaProperty): boolean => p.plain === true
        || (p.$ref?.startsWith("#/types/") === true && Object.values(schema.types[p.$ref.slice("#/types/".length)].properties ?? {}).some(planTime))
        || (p.items !== undefined && planTime(p.items));

    /** A `${name.output}` reference: to a variable, or to an output the named resource has. */
    const checkReference = (where: string, value: string, p?: SchemaProperty): boolean => {
        const m = REFERENCE.exec(value);
        if (!m) return false;
        const [, name, output] = m;
        if (name in variables && output === undefined) return true;
        if (p !== undefined && planTime(p)) {
            problems.push(`${where}: must be known while the program runs; another resource's output ${value} cannot give it`);
            return true;
        }
        const target = resources[name];
        if (target === undefined) {
            problems.push(`${where}: no resource or variable ${name}`);
        } else if (output !== undefined && component(target.type) && !(output in (component(target.type).properties ?? {}))) {
            problems.push(`${where}: ${name} has no output ${output}`);
        }
        return true;
    };

    const checkValue = (where: string, p: SchemaProperty, value: unknown): void => {
        if (typeof value === "string" && checkReference(where, value, p)) return;
        if (p.$ref?.startsWith("#/types/")) {
            const type = schema.types[p.$ref.slice("#/types/".length)];
            checkObject(where, type.properties ?? {}, type.required ?? [], value, p.$ref.split(":").pop()!);
        } else if (p.type === "array") {
            if (!Array.isArray(value)) problems.push(`${where}: expected a list, got ${JSON.stringify(value)}`);
            else value.forEach((v, i) => checkValue(`${where}[${i}]`, p.items!, v));
        } else if (p.type === "object") {
            if (typeof value !== "object" || value === null || Array.isArray(value)) problems.push(`${where}: expected a map, got ${JSON.stringify(value)}`);
            else for (const [k, v] of Object.entries(value)) checkValue(`${where}.${k}`, p.additionalProperties ?? {}, v);
        } else if (p.type === "number" || p.type === "integer") {
            if (typeof value !== "number") problems.push(`${where}: expected number, got ${JSON.stringify(value)}`);
        } else if (p.type === "string" || p.type === "boolean") {
            if (typeof value !== p.type) problems.push(`${where}: expected ${p.type}, got ${JSON.stringify(value)}`);
        }
    };

    const checkObject = (where: string, props: Record<string, SchemaProperty>, required: string[], value: unknown, typeName: string): void => {
        if (typeof value !== "object" || value === null) {
            problems.push(`${where}: expected ${typeName}, got ${JSON.stringify(value)}`);
            return;
        }
        const given = value as Record<string, unknown>;
        for (const key of required.filter(k => !(k in given))) problems.push(`${where}: ${key} is required`);
        for (const [key, v] of Object.entries(given)) {
            if (!(key in props)) problems.push(`${where}: ${key} is not an input of ${typeName}`);
            else checkValue(`${where}.${key}`, props[key], v);
        }
    };

    for (const [name, r] of Object.entries(resources)) {
        if (!r.type.startsWith(`${PACKAGE_NAME}:`)) continue;
        const c = component(r.type);
        if (c === undefined) {
            problems.push(`${name}: ${r.type} is not a component of the package`);
            continue;
        }
        checkObject(name, c.inputProperties ?? {}, c.requiredInputs ?? [], r.properties ?? {}, r.type.split(":").pop()!);
    }
    for (const [name, value] of Object.entries(program.outputs ?? {})) {
        if (typeof value === "string") checkReference(`outputs.${name}`, value);
    }
    return problems;
}
