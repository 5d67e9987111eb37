import * as catalog from "../catalog.json";

/** A JSON schema object, as Fastify's validator takes it. */
export type JsonSchema = Record<string, unknown>;

/** What a thin service declares: the catalog's names for it, and the schema of its items. */
export interface Entity {
    /** `petstore`: the first path segment. */
    readonly service: string;
    /** `pets`: the second path segment. */
    readonly collection: string;
    /** `petId`: the path parameter and the table's hash key. */
    readonly idKey: string;
    /** The item's fields besides the id, version and audit fields; the body of a PUT. */
    readonly properties: Record<string, JsonSchema>;
    readonly required: readonly string[];
}

/** The entity of a service listed in `services/catalog.json`, with its item fields. */
export function entityFromCatalog(service: string, properties: Record<string, JsonSchema>, required: readonly string[]): Entity {
    const entry = catalog.services.find(s => s.name === service);
    if (!entry) {
        throw new Error(`services/catalog.json lists no service "${service}"`);
    }
    return { service, collection: entry.collection, idKey: entry.idParam, properties, required };
}
