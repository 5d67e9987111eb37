import { Cidr, formatCidr, parseCidr, size, subdivide } from "./cidr";

/**
 * The tiers of the workload VPC. Each AZ gets one subnet of every tier, and each tier is its own subnet because
 * traffic inside one subnet never reaches a route table and so could not be steered through an endpoint.
 */
export const WORKLOAD_TIERS = ["service", "vpcLink", "endpoint", "privateLink", "public"] as const;
export type WorkloadTier = (typeof WORKLOAD_TIERS)[number];

/**
 * The VPC is cut into this many equal AZ blocks and AZ *i* always owns block *i*. Raising the AZ count therefore
 * adds subnets without renumbering existing ones: VPC links and GWLB endpoints cannot move subnets in place.
 */
export const AZ_BLOCKS = 8;

/** AWS accepts subnets from /16 to /28. */
const SMALLEST_SUBNET_PREFIX = 28;
const LARGEST_SUBNET_PREFIX = 16;

/** Each tier's prefix: an offset from the VPC prefix, or a fixed length. Clamped to what AWS allows. */
const TIER_PREFIX: Record<WorkloadTier, { readonly offset: number } | { readonly fixed: number }> = {
    // Half of every AZ block: a Fargate task consumes one address, so this tier is the one that grows.
    service: { offset: 4 },
    // A VPC link places a few ENIs per subnet.
    vpcLink: { offset: 8 },
    // Interface endpoints (ecr.api, ecr.dkr, logs): one ENI each.
    privateLink: { offset: 10 },
    // NAT gateways only; reserved even when egress is `endpoints`, so switching modes renumbers nothing.
    public: { offset: 10 },
    // The GWLB endpoint alone needs one address; /28 is the smallest subnet AWS allows.
    endpoint: { fixed: SMALLEST_SUBNET_PREFIX },
};

/** The subnet CIDRs of every tier, indexed by AZ. */
export interface WorkloadSubnetPlan {
    readonly vpcCidr: string;
    readonly availabilityZoneCount: number;
    readonly tiers: Readonly<Record<WorkloadTier, readonly string[]>>;
}

/** The VPC cannot hold the tier plan; the message says how much space is needed. */
export class SubnetPlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SubnetPlanError";
    }
}

/** The prefix length of a tier's subnets in a VPC of the given prefix. */
export function tierPrefix(tier: WorkloadTier, vpcPrefix: number): number {
    const rule = TIER_PREFIX[tier];
    const prefix = "fixed" in rule ? rule.fixed : vpcPrefix + rule.offset;
    return Math.max(LARGEST_SUBNET_PREFIX, Math.min(SMALLEST_SUBNET_PREFIX, prefix));
}

/**
 * Derives every subnet of the workload VPC from its CIDR. Sizes depend only on the VPC prefix and positions only
 * on the AZ index; the AZ count decides how many AZ blocks are used and must fit in {@link AZ_BLOCKS}.
 */
export function planWorkloadSubnets(vpcCidr: string, availabilityZoneCount: number): WorkloadSubnetPlan {
    const vpc = parseCidr(vpcCidr);
    if (vpc.prefix < LARGEST_SUBNET_PREFIX || vpc.prefix > SMALLEST_SUBNET_PREFIX) {
        throw new SubnetPlanError(`a VPC CIDR must be from /16 to /28, got ${vpcCidr}`);
    }
    if (!Number.isInteger(availabilityZoneCount) || availabilityZoneCount < 1 || availabilityZoneCount > AZ_BLOCKS) {
        throw new SubnetPlanError(`the AZ count must be an integer from 1 to ${AZ_BLOCKS}, got ${availabilityZoneCount}`);
    }
    const azBlockPrefix = vpc.prefix + Math.log2(AZ_BLOCKS);
    // Largest first, so every block lands on a boundary of its own size without padding.
    const order = [...WORKLOAD_TIERS].sort((a, b) => tierPrefix(a, vpc.prefix) - tierPrefix(b, vpc.prefix));
    const needed = order.reduce((sum, tier) => sum + 2 ** (32 - tierPrefix(tier, vpc.prefix)), 0);
    if (azBlockPrefix > 32 || needed > 2 ** (32 - azBlockPrefix)) {
        const available = azBlockPrefix > 32 ? 0 : 2 ** (32 - azBlockPrefix);
        throw new SubnetPlanError(
            `${vpcCidr} is too small for the tier plan: each AZ needs ${needed} addresses ` +
            `(${order.map(t => `${t} /${tierPrefix(t, vpc.prefix)}`).join(", ")}) but an AZ block (1/${AZ_BLOCKS} of the VPC) ` +
            `holds ${available}; use a /${smallestVpcPrefixThatFits()} or larger`,
        );
    }

    const tiers = Object.fromEntries(WORKLOAD_TIERS.map(t => [t, [] as string[]])) as Record<WorkloadTier, string[]>;
    for (let az = 0; az < availabilityZoneCount; az++) {
        const azBlock = subdivide(vpc, azBlockPrefix, az);
        let offset = 0;
        for (const tier of order) {
            const prefix = tierPrefix(tier, vpc.prefix);
            const subnet: Cidr = { base: azBlock.base + offset, prefix };
            offset += size(subnet);
            tiers[tier].push(formatCidr(subnet));
        }
    }
    return { vpcCidr, availabilityZoneCount, tiers };
}

/** The largest VPC prefix (smallest VPC) whose AZ blocks hold every tier. */
function smallestVpcPrefixThatFits(): number {
    for (let prefix = SMALLEST_SUBNET_PREFIX; prefix >= LARGEST_SUBNET_PREFIX; prefix--) {
        const needed = WORKLOAD_TIERS.reduce((sum, t) => sum + 2 ** (32 - tierPrefix(t, prefix)), 0);
        if (needed <= 2 ** (32 - prefix - Math.log2(AZ_BLOCKS))) {
            return prefix;
        }
    }
    return LARGEST_SUBNET_PREFIX;
}
