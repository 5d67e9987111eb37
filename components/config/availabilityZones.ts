import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { supportsVpcLink } from "../api/vpcLinkZones";
import { InvalidConfigError } from "./index";

/** The AZs a stack uses, in the order every tier uses them. */
export interface AvailabilityZones {
    /** AZ IDs (use1-az1…): the same physical zone in every account, unlike names. */
    readonly zoneIds: readonly string[];
    /** The names this account gives those zones, for display. */
    readonly names: readonly string[];
    /** Per zone, whether API Gateway can place a VPC link ENI there. */
    readonly vpcLinkSupported: readonly boolean[];
}

/**
 * The first `count` AZs by zone ID. IDs, unlike names, mean the same zone in every account, and sorting them gives
 * the same choice on every run, so subnets that can never move (VPC links, GWLB endpoints) stay put. Zones where API
 * Gateway has no VPC links are still used for everything else; at least one chosen zone must have them.
 */
export function selectAvailabilityZones(
    offered: { readonly names: readonly string[]; readonly zoneIds: readonly string[] },
    count: number,
    region: string,
    /** The fully qualified config key to blame when the region falls short. */
    configKey: string,
): AvailabilityZones {
    const zones = offered.zoneIds.map((zoneId, i) => ({ zoneId, name: offered.names[i], vpcLink: supportsVpcLink(region, zoneId) }))
        .sort((a, b) => a.zoneId.localeCompare(b.zoneId, "en", { numeric: true }));
    if (zones.length < count) {
        throw new InvalidConfigError([{
            key: configKey,
            value: String(count),
            rule: `be at most ${zones.length}: ${region} offers ${zones.length} AZs (${zones.map(z => z.zoneId).join(", ")})`,
        }]);
    }
    const chosen = zones.slice(0, count);
    if (!chosen.some(z => z.vpcLink)) {
        throw new InvalidConfigError([{
            key: configKey,
            value: String(count),
            rule: `include an AZ where API Gateway supports VPC links; ${chosen.map(z => z.zoneId).join(", ")} of ${region} have none`,
        }]);
    }
    return { zoneIds: chosen.map(z => z.zoneId), names: chosen.map(z => z.name), vpcLinkSupported: chosen.map(z => z.vpcLink) };
}

/**
 * Asks the region which AZs it has and selects `count` of them. Run it before creating resources, so a region with
 * too few AZs fails like invalid config: before anything registers.
 */
export async function lookupAvailabilityZones(count: number): Promise<AvailabilityZones> {
    // Without a state filter the list does not shrink while an AZ is impaired, so the choice cannot shift.
    const [offered, region] = await Promise.all([aws.getAvailabilityZones(), aws.getRegion()]);
    return selectAvailabilityZones(offered, count, region.region, `${new pulumi.Config().name}:availabilityZoneCount`);
}
