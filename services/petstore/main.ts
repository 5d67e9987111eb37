import { entityFromCatalog } from "../core/entity";
import { serve } from "../core/server";

/** A pet: all that petstore declares; everything else is the shared core. */
export const pet = entityFromCatalog("petstore", {
    name: { type: "string", minLength: 1, maxLength: 100 },
    species: { type: "string", enum: ["dog", "cat", "bird", "fish", "reptile", "other"] },
    birthYear: { type: "integer", minimum: 1900, maximum: 2100 },
    tags: { type: "array", maxItems: 10, uniqueItems: true, items: { type: "string", minLength: 1, maxLength: 30 } },
}, ["name", "species"]);

if (require.main === module) {
    void serve(pet);
}
