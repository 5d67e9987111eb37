/**
 * A monthly cost estimate of a planned program: the fixed cost of what it registered, per resource kind, and the
 * usage-priced items at stated assumptions, both at the on-demand list prices of prices.json for the run's region; and
 * beside it, the same inspection done with AWS Network Firewall endpoints. Pure: reads a registry, never AWS.
 */
import { Registration, ResourceRegistry } from "../mock/registry";
import { T } from "../mock/types";
import { Assumptions, PriceTable } from "./pricing";
import { table } from "./text";

/** One amount of one priced item: `amount` is in the item's unit (hours, GB, million requests …). */
interface Charge {
    readonly item: string;
    readonly amount: number;
}

export interface CostLine {
    readonly kind: string;
    /** How much of what: "2 × 730 h", "apiRequestsPerMonth = 1000000". */
    readonly quantity: string;
    /** The unit prices applied, "$0.01/hour"; "no price" for items the table lacks. */
    readonly unitPrice: string;
    /** USD a month; null when an item has no price, and then the line is left out of the totals. */
    readonly monthly: number | null;
    /** Items of this line without a price in this region. */
    readonly missing: readonly string[];
    /** Part of the inspection path: what Network Firewall endpoints would replace. */
    readonly inspection: boolean;
}

export interface CostEstimate {
    readonly region: string;
    readonly hoursPerMonth: number;
    readonly fixed: readonly CostLine[];
    readonly usage: readonly CostLine[];
    readonly fixedTotal: number;
    readonly usageTotal: number;
    readonly total: number;
    /** False when a line has no price: the totals then leave it out. */
    readonly complete: boolean;
    /** Every item without a price in this region, and every line the plan could not price (a service not on Fargate). */
    readonly missing: readonly string[];
    readonly assumptions: Assumptions;
    /** This plan's inspection path against Network Firewall endpoints in the same AZs; null without GWLB endpoints. */
    readonly networkFirewall: {
        readonly endpoints: number;
        readonly thisPlan: { readonly monthly: number | null; readonly perGb: number | null };
        readonly networkFirewall: { readonly monthly: number | null; readonly perGb: number | null };
    } | null;
}

const money = (usd: number) => usd.toFixed(2);

/** Charges the estimate leaves out, said with every estimate so nobody reads the total as a bill. */
const NOT_ESTIMATED = "free tiers other than Cognito's, taxes, data transfer, EBS volumes, ECR storage, backups and PITR, " +
    "CloudWatch metrics and alarms, Route 53 hosted zones (Cloud Map namespaces), KMS key rotations after the first year";

export function estimateCost(resources: ResourceRegistry, region: string, prices: PriceTable, assumed: Assumptions): CostEstimate {
    const hours = prices.hoursPerMonth;
    const missing = new Set<string>();

    const line = (kind: string, quantity: string, charges: Charge[], inspection: boolean): CostLine => {
        const found = charges.map(c => ({ charge: c, price: prices.find(region, c.item) }));
        const absent = found.filter(f => !f.price).map(f => f.charge.item);
        absent.forEach(item => missing.add(item));
        return {
            kind,
            quantity,
            unitPrice: found.map(f => (!f.price ? `no price for ${f.charge.item}`
                : `$${f.price.usd}/${f.price.per}${f.price.free ? ` beyond ${f.price.free} free` : ""}`)).join(" + "),
            monthly: absent.length > 0 ? null
                : found.reduce((sum, f) => sum + Math.max(0, f.charge.amount - (f.price!.free ?? 0)) * f.price!.usd, 0),
            missing: absent,
            inspection,
        };
    };

    const underInspectionVpc = (r: Registration): boolean => {
        for (let p = resources.parentOf(r); p; p = resources.parentOf(p)) {
            if (p.type === T.inspectionVpc) {
                return true;
            }
        }
        return false;
    };
    /** `n` of something billed by the hour, all month; no line for none. */
    const hourly = (kind: string, n: number, item: string, inspection: boolean): CostLine[] =>
        n === 0 ? [] : [line(kind, `${n} × ${hours} h`, [{ item, amount: n * hours }], inspection)];
    /** Lines per VPC side: the security VPC's share belongs to the inspection path, the workload's does not. */
    const perSide = (kind: string, rs: Registration[], count: (r: Registration) => number, item: string): CostLine[] =>
        [true, false].flatMap(inspection => hourly(`${kind} (${inspection ? "security VPC" : "workload VPC"})`,
            rs.filter(r => underInspectionVpc(r) === inspection).reduce((sum, r) => sum + count(r), 0), item, inspection));

    /** Fargate x86 or ARM by the task's platform; a task the plan cannot size, or not on Fargate, is left unpriced. */
    const fargateLine = (service: Registration): CostLine => {
        const kind = `Fargate tasks (${service.name})`;
        const task = resources.ofType(T.taskDefinition).find(t => t.state.arn === service.inputs.taskDefinition);
        const launch = service.inputs.capacityProviderStrategies?.length ? "a capacity provider strategy" : service.inputs.launchType ?? "EC2";
        const unpriced = !task ? `${service.name}: task definition ${service.inputs.taskDefinition} not in the plan`
            : launch !== "FARGATE" ? `${service.name}: launch type ${launch}` : undefined;
        if (unpriced) {
            missing.add(unpriced);
            return { kind, quantity: "?", unitPrice: "not priced", monthly: null, missing: [unpriced], inspection: false };
        }
        const count = service.inputs.desiredCount ?? 0;
        const vcpu = Number(task!.inputs.cpu) / 1024;
        const gb = Number(task!.inputs.memory) / 1024;
        const arm = task!.inputs.runtimePlatform?.cpuArchitecture === "ARM64" ? "arm-" : "";
        return line(kind, `${count} × ${vcpu} vCPU, ${gb} GB × ${hours} h`, [
            { item: `fargate-${arm}vcpu`, amount: count * vcpu * hours },
            { item: `fargate-${arm}memory`, amount: count * gb * hours },
        ], false);
    };

    const endpoints = resources.ofType(T.vpcEndpoint);
    const gwlbEndpoints = endpoints.filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer");
    const interfaceEndpoints = endpoints.filter(e => e.inputs.vpcEndpointType === "Interface");
    const gateways = resources.ofType(T.loadBalancer).filter(lb => lb.inputs.loadBalancerType === "gateway");
    const natGateways = resources.ofType(T.natGateway);

    const fixed: CostLine[] = [
        ...hourly("Gateway Load Balancer", gateways.length, "gwlb-hour", true),
        ...hourly("GWLB endpoints", gwlbEndpoints.length, "gwlbe-hour", true),
    ];
    for (const group of resources.ofType(T.autoScalingGroup)) {
        const template = resources.byId(group.inputs.launchTemplate?.id);
        const type = template?.inputs.instanceType ?? "unknown";
        const running = group.inputs.desiredCapacity ?? group.inputs.minSize ?? 0;
        fixed.push(line(`Appliance instances (${type})`, `${running} × ${hours} h, up to ${group.inputs.maxSize}`,
            [{ item: `ec2:${type}`, amount: running * hours }], underInspectionVpc(group)));
    }
    fixed.push(...perSide("NAT gateways", natGateways, () => 1, "nat-hour"));
    fixed.push(...perSide("Public IPv4 addresses", resources.ofType(T.eip), () => 1, "public-ipv4"));
    fixed.push(...perSide("Interface endpoint AZs", interfaceEndpoints, e => e.inputs.subnetIds?.length ?? 0, "interface-endpoint-hour"));
    for (const service of resources.ofType(T.ecsService)) {
        fixed.push(fargateLine(service));
    }
    const keys = resources.ofType(T.kmsKey).length;
    if (keys > 0) {
        fixed.push(line("KMS keys", `${keys} keys`, [{ item: "kms-key", amount: keys }], false));
    }

    const usage: CostLine[] = [];
    const assume = (kind: string, key: keyof Assumptions, item: string, per: number, inspection = false) =>
        usage.push(line(kind, `${key} = ${assumed[key]}`, [{ item, amount: assumed[key] / per }], inspection));
    if (resources.ofType(T.api).some(a => a.inputs.protocolType === "HTTP")) {
        assume("HTTP API requests", "apiRequestsPerMonth", "http-api-requests", 1e6);
    }
    if (gwlbEndpoints.length > 0) {
        assume("GWLB endpoint data", "inspectedGbPerMonth", "gwlbe-data", 1, true);
    }
    if (gateways.length > 0) {
        // A GLCU is 1 GB an hour on its bytes dimension, so a month's GLCU-hours are about its GB when bytes dominate.
        assume("GWLB capacity units (GLCU-hours ≈ GB)", "inspectedGbPerMonth", "gwlb-glcu", 1, true);
    }
    if (resources.ofType(T.userPool).length > 0) {
        assume("Cognito monthly active users", "monthlyActiveUsers", "cognito-mau", 1);
    }
    if (resources.ofType(T.table).length > 0) {
        assume("DynamoDB reads", "dynamoDbReadUnitsPerMonth", "dynamodb-reads", 1e6);
        assume("DynamoDB writes", "dynamoDbWriteUnitsPerMonth", "dynamodb-writes", 1e6);
    }
    if (natGateways.length > 0) {
        assume("NAT gateway data", "natGbPerMonth", "nat-data", 1);
    }
    if (interfaceEndpoints.length > 0) {
        assume("Interface endpoint data", "endpointGbPerMonth", "interface-endpoint-data", 1);
    }
    if (resources.ofType(T.logGroup).length > 0) {
        assume("CloudWatch Logs ingestion", "logGbPerMonth", "logs-ingest", 1);
    }
    if (keys > 0) {
        assume("KMS requests", "kmsRequestsPerMonth", "kms-requests", 1e4);
    }

    const sum = (lines: CostLine[]) => lines.reduce((total, l) => total + (l.monthly ?? 0), 0);
    const fixedTotal = sum(fixed);
    const usageTotal = sum(usage);
    return {
        region,
        hoursPerMonth: hours,
        fixed,
        usage,
        fixedTotal,
        usageTotal,
        total: fixedTotal + usageTotal,
        complete: missing.size === 0,
        missing: [...missing].sort(),
        assumptions: assumed,
        networkFirewall: gwlbEndpoints.length === 0 ? null : compareNetworkFirewall(fixed, gwlbEndpoints.length, region, prices),
    };
}

/** Network Firewall puts one endpoint in each AZ the GWLB endpoints are in and replaces the whole inspection path. */
function compareNetworkFirewall(fixed: CostLine[], endpoints: number, region: string, prices: PriceTable): CostEstimate["networkFirewall"] {
    const usd = (item: string) => prices.find(region, item)?.usd ?? null;
    const path = fixed.filter(l => l.inspection);
    const perEndpointHour = usd("network-firewall-endpoint");
    const gwlbe = usd("gwlbe-data");
    const glcu = usd("gwlb-glcu");
    return {
        endpoints,
        thisPlan: {
            monthly: path.some(l => l.monthly === null) ? null : path.reduce((total, l) => total + l.monthly!, 0),
            perGb: gwlbe === null || glcu === null ? null : gwlbe + glcu,
        },
        networkFirewall: {
            monthly: perEndpointHour === null ? null : endpoints * prices.hoursPerMonth * perEndpointHour,
            perGb: usd("network-firewall-data"),
        },
    };
}

/** The estimate as text: a table of fixed lines, one of usage lines, the totals, and the Network Firewall comparison. */
export function renderCost(cost: CostEstimate, pricesFile: string): string {
    const priced = (lines: readonly CostLine[]) => lines.map(l => [`  ${l.kind}`, l.quantity, l.unitPrice, l.monthly === null ? "—" : money(l.monthly)]);
    const partial = cost.complete ? "" : " (partial)";
    const rows = [
        ["Fixed", "QUANTITY", "UNIT PRICE", "USD/MONTH"],
        ...priced(cost.fixed),
        [`  fixed total${partial}`, "", "", money(cost.fixedTotal)],
        ["Usage (change with --assume key=value)", "", "", ""],
        ...priced(cost.usage),
        [`  usage total${partial}`, "", "", money(cost.usageTotal)],
        [`Total${partial}`, "", "", money(cost.total)],
    ];
    const lines = [
        `Cost (estimate: USD a month of ${cost.hoursPerMonth} h at on-demand list prices in ${cost.region}, from ${pricesFile}):`,
        table(rows, [3]),
        `  not estimated: ${NOT_ESTIMATED}`,
    ];
    if (!cost.complete) {
        lines.push(`  partial: no price in ${cost.region} for ${cost.missing.join(", ")}; the totals leave those lines out`);
    }
    const nfw = cost.networkFirewall;
    if (nfw) {
        const show = (monthly: number | null, perGb: number | null) =>
            `${monthly === null ? "no price" : `$${money(monthly)}`} a month fixed, ${perGb === null ? "no price" : `$${perGb}`} per GB inspected`;
        lines.push(
            "Same inspection with AWS Network Firewall:",
            `  this plan (GWLB, its endpoints, appliances, security VPC egress): ${show(nfw.thisPlan.monthly, nfw.thisPlan.perGb)}`,
            `  Network Firewall, ${nfw.endpoints} firewall endpoints: ${show(nfw.networkFirewall.monthly, nfw.networkFirewall.perGb)}`,
        );
    }
    return lines.join("\n");
}
