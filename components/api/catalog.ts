/**
 * The services the API serves, as data: `services/catalog.json` lists them once, and routes, Cloud Map services,
 * tables and task definitions are derived from it. Adding a service is adding an entry (and its thin service).
 */

/** One service: served at `/<name>/<collection>` and `/<name>/<collection>/{<idParam>}`. */
export interface ServiceSpec {
    /** Also its Cloud Map service, resource server and resource names: lowercase letters, digits, hyphens. */
    readonly name: string;
    /** The plural path segment of its items, e.g. `pets`. */
    readonly collection: string;
    /** The path parameter and table key of an item, e.g. `petId`. */
    readonly idParam: string;
}

/** An HTTP route of a service and whether it writes (and so needs a signed-in caller). */
export interface ServiceRoute {
    readonly service: string;
    readonly method: "GET" | "PUT";
    readonly path: string;
    readonly write: boolean;
}

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const SEGMENT = /^[a-z][a-z0-9-]{0,62}$/;
const PARAM = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/** Validates the catalog's shape and returns its services; the error names the offending entry and field. */
export function parseServiceCatalog(catalog: unknown, source = "services/catalog.json"): readonly ServiceSpec[] {
    const services = (catalog as { services?: unknown })?.services;
    if (!Array.isArray(services) || services.length === 0) {
        throw new Error(`${source}: "services" must be a non-empty list`);
    }
    const seen = new Set<string>();
    return services.map((entry, i) => {
        const field = (key: keyof ServiceSpec, pattern: RegExp, rule: string): string => {
            const value = (entry as Record<string, unknown>)?.[key];
            if (typeof value !== "string" || !pattern.test(value)) {
                throw new Error(`${source}: services[${i}].${key} = ${JSON.stringify(value)} must be ${rule}`);
            }
            return value;
        };
        const spec = {
            name: field("name", NAME, "2-32 lowercase letters, digits or hyphens, starting with a letter"),
            collection: field("collection", SEGMENT, "a lowercase path segment starting with a letter"),
            idParam: field("idParam", PARAM, "a path parameter name of letters and digits starting with a letter"),
        };
        if (seen.has(spec.name)) {
            throw new Error(`${source}: services[${i}].name = "${spec.name}" is listed twice`);
        }
        seen.add(spec.name);
        return spec;
    });
}

/** The routes of one service: list, get and put. Anything else is answered 404 by API Gateway itself. */
export function serviceRoutes(spec: ServiceSpec): ServiceRoute[] {
    const collection = `/${spec.name}/${spec.collection}`;
    const item = `${collection}/{${spec.idParam}}`;
    return [
        { service: spec.name, method: "GET", path: collection, write: false },
        { service: spec.name, method: "GET", path: item, write: false },
        { service: spec.name, method: "PUT", path: item, write: true },
    ];
}
