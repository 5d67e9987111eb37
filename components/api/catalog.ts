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

/** The catalog: the services, and the request header that carries the verified caller to them. */
export interface ServiceCatalog {
    readonly services: readonly ServiceSpec[];
    /** Set by API Gateway from the token on writes and stripped on reads; services record it as `updatedBy`. */
    readonly identityHeader: string;
}

/** An HTTP route of a service and whether it writes (and so needs a signed-in caller). */
export interface ServiceRoute {
    readonly method: "GET" | "PUT";
    readonly path: string;
    readonly write: boolean;
}

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const SEGMENT = /^[a-z][a-z0-9-]{0,62}$/;
const PARAM = /^[A-Za-z][A-Za-z0-9]{0,62}$/;
const HEADER = /^x-[a-z0-9]+(-[a-z0-9]+)*$/;

/** Validates the catalog's shape; the error names the offending entry and field. */
export function parseServiceCatalog(catalog: unknown, source = "services/catalog.json"): ServiceCatalog {
    const services = (catalog as { services?: unknown })?.services;
    if (!Array.isArray(services) || services.length === 0) {
        throw new Error(`${source}: "services" must be a non-empty list`);
    }
    const seen = new Set<string>();
    const specs = services.map((entry, i) => {
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
    const identityHeader = (catalog as { identityHeader?: unknown }).identityHeader;
    if (typeof identityHeader !== "string" || !HEADER.test(identityHeader)) {
        throw new Error(`${source}: identityHeader = ${JSON.stringify(identityHeader)} must be a lowercase x- header name with hyphens (no underscores)`);
    }
    return { services: specs, identityHeader };
}

/** The routes of one service: list, get and put. Anything else is answered 404 by API Gateway itself. */
export function serviceRoutes(spec: ServiceSpec): ServiceRoute[] {
    const collection = `/${spec.name}/${spec.collection}`;
    const item = `${collection}/{${spec.idParam}}`;
    return [
        { method: "GET", path: collection, write: false },
        { method: "GET", path: item, write: false },
        { method: "PUT", path: item, write: true },
    ];
}
