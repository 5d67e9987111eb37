/**
 * Several stacks planned together: a shared inspection stack and the workload stacks that send their traffic through
 * it. Each runs under mocks in turn, a workload's stack reference reading the inspection stack's planned outputs;
 * then the plan follows every workload's endpoints to the shared service and checks what AWS would refuse there.
 */
import { overlaps, parseCidr } from "../../components/network/cidr";
import { ProgramRun, runProgram } from "../mock";
import { ConfigValue, stackNameOf } from "../mock/stackConfig";
import { T } from "../mock/types";

/** AWS quotas the plan checks, with where AWS states them. */
export const QUOTAS = {
    targetsPerGwlbPerAz: { limit: 300, source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/quotas-limits.html" },
    endpointsPerVpc: { limit: 50, source: "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html" },
    routesPerRouteTable: { limit: 50, source: "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html" },
} as const;

export interface StackCheck {
    readonly stack: string;
    readonly name: string;
    /** Empty when the check passed; otherwise each reason, naming what breaks it. */
    readonly problems: readonly string[];
    /** Set when the check does not apply, and why. */
    readonly notApplicable?: string;
}

/** What the stack builds: `all`, `inspection` or `workload` (the config's `stackRole`). */
export const roleOf = (run: ProgramRun) => run.source.config["inspected-api:stackRole"] ?? "all";
const referenceOf = (run: ProgramRun) => run.source.config["inspected-api:inspectionStack"];

/** Stacks in an order where every referenced stack runs before the stacks that read it. */
export function orderStacks(stacks: readonly string[], referenced: (stack: string) => string | undefined): string[] {
    const ordered: string[] = [];
    const visit = (stack: string, path: string[]) => {
        if (ordered.includes(stack)) return;
        if (path.includes(stack)) throw new Error(`stack references form a cycle: ${[...path, stack].join(" → ")}`);
        const reference = referenced(stack);
        const target = reference === undefined ? undefined : stackNameOf(reference);
        if (target !== undefined && stacks.includes(target)) visit(target, [...path, stack]);
        ordered.push(stack);
    };
    stacks.forEach(s => visit(s, []));
    return ordered;
}

/** Runs the stacks in reference order, each reading the outputs of those planned before it. */
export async function runStacks(
    stacks: readonly string[],
    config: (stack: string) => Record<string, ConfigValue> = () => ({}),
    referenced: (stack: string) => string | undefined,
): Promise<ProgramRun[]> {
    const outputs: Record<string, Record<string, unknown>> = {};
    const runs: ProgramRun[] = [];
    for (const stack of orderStacks(stacks, referenced)) {
        const run = await runProgram({ stack, config: config(stack), stackOutputs: { ...outputs } });
        outputs[stack] = run.outputs;
        runs.push(run);
    }
    return runs;
}

/** Every workload's endpoints against the inspection stack it references: service, account, zones, addresses. */
export function crossStackChecks(runs: readonly ProgramRun[]): StackCheck[] {
    const byStack = new Map(runs.map(r => [r.source.stack, r]));
    const checks: StackCheck[] = [];
    for (const run of runs.filter(r => roleOf(r) === "workload")) {
        const stack = run.source.stack;
        const reference = referenceOf(run);
        const service = reference === undefined ? undefined : byStack.get(stackNameOf(reference));
        if (service === undefined) {
            checks.push({ stack, name: "shared-service", problems: [], notApplicable: `its endpoint service is not among the stacks planned (${reference ?? "a service run elsewhere"})` });
            continue;
        }
        const out = service.outputs as { endpointServiceName: string; allowedPrincipals: string[]; availabilityZoneIds: string[]; securityVpcCidr: string };
        const endpoints = run.resources.ofType(T.vpcEndpoint).filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer");
        checks.push({
            stack, name: "shared-service",
            problems: endpoints.length === 0 ? ["it has no GWLB endpoints"]
                : endpoints.filter(e => e.inputs.serviceName !== out.endpointServiceName)
                    .map(e => `${e.name} connects to ${e.inputs.serviceName}, not ${service.source.stack}'s ${out.endpointServiceName}`),
        });
        const accountAllowed = out.allowedPrincipals.some(p => p.split(":")[4] === run.accountId);
        checks.push({
            stack, name: "allowed-principal",
            problems: accountAllowed ? [] : [`its account ${run.accountId} is not among ${service.source.stack}'s allowed principals ` +
                `(${out.allowedPrincipals.join(", ")}): add it to consumerPrincipals there, or AWS refuses its endpoints`],
        });
        const zoneOf = (subnetId: string) => run.resources.byId(subnetId)?.inputs.availabilityZoneId as string | undefined;
        checks.push({
            stack, name: "gwlb-zones",
            problems: endpoints.flatMap(e => (e.inputs.subnetIds as string[]).map(zoneOf))
                .filter((zone): zone is string => zone !== undefined && !out.availabilityZoneIds.includes(zone))
                .map(zone => `an endpoint in ${zone}, where ${service.source.stack}'s Gateway Load Balancer has no node ` +
                    `(it has ${out.availabilityZoneIds.join(", ")}): an endpoint there cannot reach the service`),
        });
        checks.push({
            stack, name: "address-space",
            problems: run.resources.ofType(T.vpc).map(v => v.inputs.cidrBlock as string)
                .filter(cidr => overlaps(parseCidr(cidr), parseCidr(out.securityVpcCidr)))
                .map(cidr => `its VPC ${cidr} overlaps ${service.source.stack}'s security VPC ${out.securityVpcCidr}`),
        });
    }
    return checks;
}

/** The quotas each stack's resources come near: targets per GWLB per AZ, endpoints per VPC, routes per table. */
export function quotaChecks(run: ProgramRun): StackCheck[] {
    const stack = run.source.stack;
    const groups = run.resources.ofType(T.autoScalingGroup);
    const azs = (g: (typeof groups)[number]) => Math.max(1, (g.inputs.vpcZoneIdentifiers as string[] | undefined)?.length ?? 1);
    const perVpc = new Map<string, number>();
    run.resources.ofType(T.vpcEndpoint).filter(e => e.inputs.vpcEndpointType !== "Gateway")
        .forEach(e => perVpc.set(e.inputs.vpcId, (perVpc.get(e.inputs.vpcId) ?? 0) + 1));
    const perTable = new Map<string, number>();
    run.resources.ofType(T.route).forEach(r => perTable.set(r.inputs.routeTableId, (perTable.get(r.inputs.routeTableId) ?? 0) + 1));
    const over = (counts: Map<string, number>, limit: number, what: string) =>
        [...counts].filter(([, n]) => n > limit).map(([id, n]) => `${what} ${run.resources.byId(id)?.name ?? id}: ${n}, over ${limit}`);
    return [
        { stack, name: `targets-per-gwlb-az (${QUOTAS.targetsPerGwlbPerAz.limit})`,
            problems: groups.filter(g => Math.ceil(g.inputs.maxSize / azs(g)) > QUOTAS.targetsPerGwlbPerAz.limit)
                .map(g => `${g.name}: up to ${Math.ceil(g.inputs.maxSize / azs(g))} appliances per AZ`) },
        { stack, name: `endpoints-per-vpc (${QUOTAS.endpointsPerVpc.limit})`, problems: over(perVpc, QUOTAS.endpointsPerVpc.limit, "VPC") },
        { stack, name: `routes-per-table (${QUOTAS.routesPerRouteTable.limit})`, problems: over(perTable, QUOTAS.routesPerRouteTable.limit, "route table") },
    ];
}

export function renderChecks(title: string, checks: readonly StackCheck[]): string {
    return [title, ...checks.flatMap(c => [
        `${c.notApplicable ? "n/a " : c.problems.length === 0 ? "ok  " : "FAIL"} ${c.stack}: ${c.name}${c.notApplicable ? ` (${c.notApplicable})` : ""}`,
        ...c.problems.map(p => `       ${p}`),
    ])].join("\n");
}

export /** The shared inspection paid once, each workload's own cost, and what each workload with its own inspection would cost. */
function renderSharedCost(costs: readonly { stack: string; role: string; total: number }[]): string {
    const shared = costs.filter(c => c.role === "inspection");
    const workloads = costs.filter(c => c.role === "workload");
    if (shared.length === 0 || workloads.length === 0) {
        return "Cost: no shared inspection among these stacks.";
    }
    const usd = (n: number) => `$${n.toFixed(2)}`;
    const inspection = shared.reduce((sum, c) => sum + c.total, 0);
    const own = workloads.reduce((sum, c) => sum + c.total, 0);
    return [
        "Cost a month (the assumptions of each stack's plan):",
        ...shared.map(c => `  shared inspection ${c.stack}: ${usd(c.total)}, paid once`),
        ...workloads.map(c => `  workload ${c.stack}: ${usd(c.total)}`),
        `  together: ${usd(inspection + own)}; each workload with its own inspection: ${usd(own + inspection * workloads.length)}` +
            ` (${workloads.length} × the inspection stack)`,
    ].join("\n");
}
