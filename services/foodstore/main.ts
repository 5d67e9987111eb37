import { entityFromCatalog } from "../core/entity";
import { serve } from "../core/server";

/** A food: all that foodstore declares; everything else is the shared core. */
export const food = entityFromCatalog("foodstore", {
    name: { type: "string", minLength: 1, maxLength: 100 },
    priceCents: { type: "integer", minimum: 0, maximum: 10_000_000 },
    vegan: { type: "boolean" },
    allergens: { type: "array", maxItems: 14, uniqueItems: true, items: { type: "string", minLength: 1, maxLength: 30 } },
}, ["name", "priceCents"]);

if (require.main === module) {
    void serve(food);
}
