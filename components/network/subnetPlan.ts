import { Cidr, CidrError, formatCidr, parseCidr, size, subdivide } from "./cidr";

/**
 * The tiers of the workload VPC. Each AZ gets one subnet of every tier, and each tier is its own subnet because
 * traffic inside one subnet never reaches a route table and so could not be steered through an endpoint.
 */
export const WORKLOAD_TIERS = ["service", "vpcLink", "endpoint", "privateLink", "public"] as const;
export type WorkloadTier = (typeof WORKLOAD_TIERS)[number];

/** How tasks in the service subnets reach AWS APIs and the internet; `nat` is what the public tier is for. */
export const WORKLOAD_EGRESS = ["endpoints", "nat"] as const;
export type WorkloadEgress = (typeof WORKLOAD_EGRESS)[number];

/**
 * The VPC is cut into this many equal AZ blocks and AZ *i* always owns block *i*. Raising the AZ count therefore
 * adds subnets without renumbering existing ones: VPC links and GWLB endpoints cannot move subnets in place.
 */
export const AZ_BLOCKS = 8;

/** AWS accepts subnets from /16 to /28. */
const SMALLEST_SUBNET_PREFIX = 28;
const LARGEST_SUBNET_PREFIX = 16;

/** A tier's prefix: an offset from the VPC prefix, or a fixed length. Clamped to what AWS allows. */
export type TierRule = { readonly offset: number } | { readonly fixed: number };

const WORKLOAD_TIER_RULES: Readonly<Record<WorkloadTier, TierRule>> = {
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
export interface SubnetPlan<T extends string> {
    readonly vpcCidr: string;
    readonly availabilityZoneCount: number;
    readonly tiers: Readonly<Record<T, readonly string[]>>;
}

/** The VPC cannot hold the tier plan; the message says how much space is needed. */
export class SubnetPlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SubnetPlanError";
    }
}

/** The prefix length a tier rule gives in a VPC of the given prefix. */
function rulePrefix(rule: TierRule, vpcPrefix: number): number {
    const prefix = "fixed" in rule ? rule.fixed : vpcPrefix + rule.offset;
    return Math.max(LARGEST_SUBNET_PREFIX, Math.min(SMALLEST_SUBNET_PREFIX, prefix));
}

/** Usable addresses of a subnet of this prefix: AWS reserves five in every subnet. */
export function usableAddresses(prefix: number): number {
    return 2 ** (32 - prefix) - 5;
}

/**
 * Cuts a VPC into {@link AZ_BLOCKS} equal AZ blocks and, in block *i*, one subnet per tier for AZ *i*. Sizes depend
 * only on the VPC prefix and positions only on the AZ index, so adding AZs never renumbers a subnet.
 */
export function planAzSubnets<T extends string>(
    vpcCidr: string,
    availabilityZoneCount: number,
    rules: Readonly<Record<T, TierRule>>,
): SubnetPlan<T> {
    const vpc = parseCidr(vpcCidr);
    if (vpc.prefix < LARGEST_SUBNET_PREFIX || vpc.prefix > SMALLEST_SUBNET_PREFIX) {
        throw new SubnetPlanError(`a VPC CIDR must be from /16 to /28, got ${vpcCidr}`);
    }
    if (!Number.isInteger(availabilityZoneCount) || availabilityZoneCount < 1 || availabilityZoneCount > AZ_BLOCKS) {
        throw new SubnetPlanError(`the AZ count must be an integer from 1 to ${AZ_BLOCKS}, got ${availabilityZoneCount}`);
    }
    const names = Object.keys(rules) as T[];
    const prefixOf = (tier: T, vpcPrefix: number) => rulePrefix(rules[tier], vpcPrefix);
    const azBlockPrefix = vpc.prefix + Math.log2(AZ_BLOCKS);
    // Largest first, so every block lands on a boundary of its own size without padding.
    const order = [...names].sort((a, b) => prefixOf(a, vpc.prefix) - prefixOf(b, vpc.prefix));
    const neededAt = (vpcPrefix: number) => names.reduce((sum, t) => sum + 2 ** (32 - prefixOf(t, vpcPrefix)), 0);
    const blockSize = (vpcPrefix: number) => vpcPrefix + Math.log2(AZ_BLOCKS) > 32 ? 0 : 2 ** (32 - vpcPrefix - Math.log2(AZ_BLOCKS));
    if (neededAt(vpc.prefix) > blockSize(vpc.prefix)) {
        let fits = LARGEST_SUBNET_PREFIX;
        for (let prefix = SMALLEST_SUBNET_PREFIX; prefix >= LARGEST_SUBNET_PREFIX; prefix--) {
            if (neededAt(prefix) <= blockSize(prefix)) {
                fits = prefix;
                break;
            }
        }
        throw new SubnetPlanError(
            `${vpcCidr} is too small for the tier plan: each AZ needs ${neededAt(vpc.prefix)} addresses ` +
            `(${order.map(t => `${t} /${prefixOf(t, vpc.prefix)}`).join(", ")}) but an AZ block (1/${AZ_BLOCKS} of the VPC) ` +
            `holds ${blockSize(vpc.prefix)}; use a /${fits} or larger`,
        );
    }

    const tiers = Object.fromEntries(names.map(t => [t, [] as string[]])) as Record<T, string[]>;
    for (let az = 0; az < availabilityZoneCount; az++) {
        const azBlock = subdivide(vpc, azBlockPrefix, az);
        let offset = 0;
        for (const tier of order) {
            const subnet: Cidr = { base: azBlock.base + offset, prefix: prefixOf(tier, vpc.prefix) };
            offset += size(subnet);
            tiers[tier].push(formatCidr(subnet));
        }
    }
    return { vpcCidr, availabilityZoneCount, tiers };
}

/** Every subnet of the workload VPC, derived from its CIDR (see {@link planAzSubnets}). */
export function planWorkloadSubnets(vpcCidr: string, availabilityZoneCount: number): SubnetPlan<WorkloadTier> {
    return planAzSubnets(vpcCidr, availabilityZoneCount, WORKLOAD_TIER_RULES);
}

/** The tiers of the security VPC: appliances (and the GWLB's own ENIs), and NAT gateways for their updates. */
export const SECURITY_TIERS = ["appliance", "public"] as const;
export type SecurityTier = (typeof SECURITY_TIERS)[number];

const SECURITY_TIER_RULES: Readonly<Record<SecurityTier, TierRule>> = {
    // Half of every AZ block: appliances, replacements launched during an instance refresh, one GWLB ENI.
    appliance: { offset: 4 },
    // NAT gateways only; reserved even when appliances have no internet path, so switching renumbers nothing.
    public: { offset: 6 },
};

/** Every subnet of the security VPC, derived from its CIDR (see {@link planAzSubnets}). */
export function planSecuritySubnets(vpcCidr: string, availabilityZoneCount: number): SubnetPlan<SecurityTier> {
    return planAzSubnets(vpcCidr, availabilityZoneCount, SECURITY_TIER_RULES);
}

/** The plan, or the planner's reason the VPC cannot hold it. */
export function tryPlan<T>(plan: () => T): T | string {
    try {
        return plan();
    } catch (err) {
        if (err instanceof SubnetPlanError || err instanceof CidrError) {
            return err.message;
        }
        throw err;
    }
}

/** The rule a VPC CIDR broke when the planner refuses it, phrased to follow "must". */
export function planRule(availabilityZoneCount: number, reason: string): string {
    return `hold the tier plan for ${availabilityZoneCount} AZs (${reason})`;
}
