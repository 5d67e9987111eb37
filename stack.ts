/**
 * inspected-api: config → components → stack outputs. Everything that can be wrong before deploying (the stack
 * config, and whether the region has the AZs it asks for) is checked before the first resource registers.
 */
import { parseServiceCatalog } from "./components/api/catalog";
import { loadConfig } from "./components/config";
import { lookupAvailabilityZones } from "./components/config/availabilityZones";
import { inspectedApi } from "./program";
import catalog from "./services/catalog.json";

export = async () => {
    const config = loadConfig();
    const services = parseServiceCatalog(catalog);
    const zones = await lookupAvailabilityZones(config.availabilityZoneCount);
    return inspectedApi(config, zones, services);
};
