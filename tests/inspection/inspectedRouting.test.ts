import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { InspectedRouting, planInspectedRoutes } from "../../components/inspection/inspectedRouting";
import { describeFlow, networkModel, simulateFlows } from "../../tools/routes";
import { deploy, ProgramRun, Registration, runProgram, T } from "../kit";

function endpointsOf(run: ProgramRun): Registration[] {
    return run.resources.ofType(T.vpcEndpoint).filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer");
}

describe("InspectedRouting (whole program)", () => {
    for (const azs of [2, 3, 6]) {
        for (const cidr of ["10.0.0.0/16", "10.64.0.0/18", "192.168.0.0/20"]) {
            describe(`${azs} AZs in ${cidr}`, () => {
                let run: ProgramRun;
                before(async () => {
                    // The same config as the workload VPC's tests, so the kit runs each layout once.
                    run = await deploy({ config: { availabilityZoneCount: azs, workloadVpcCidr: cidr, securityVpcCidr: "172.16.0.0/16" } });
                });

                it("inspects every vpcLink⇄service flow in both directions through its own AZ's endpoint, and AWS rejects no route", () => {
                    const sim = simulateFlows(networkModel(run.resources), "vpcLink", "service");
                    assert.strictEqual(sim.flows.length, azs * azs);
                    assert.deepStrictEqual(sim.rejectedRoutes.map(r => `${r.route.name}: ${r.reason}`), []);
                    const failures = sim.flows.filter(f => f.verdict !== "inspected").map(describeFlow);
                    assert.deepStrictEqual(failures, []);
                    for (const f of sim.flows) {
                        const az = f.source.name.split("-").pop();
                        assert.deepStrictEqual(f.request.endpoints.map(e => e.name), [`routing-gwlbe-${az}`], describeFlow(f));
                        assert.deepStrictEqual(f.response.endpoints.map(e => e.name), [`routing-gwlbe-${az}`], describeFlow(f));
                    }
                });

                it("puts endpoint i in endpoint subnet i, in a zone of the load balancer, on the security VPC's endpoint service", () => {
                    const { resources } = run;
                    const serviceName = resources.ofType(T.vpcEndpointService)[0].state.serviceName;
                    const gwlbZones = resources.ofType(T.subnet).filter(s => s.inputs.tags.tier === "appliance").map(s => s.state.availabilityZoneId);
                    assert.strictEqual(endpointsOf(run).length, azs);
                    for (let az = 0; az < azs; az++) {
                        const endpoint = resources.get(T.vpcEndpoint, `routing-gwlbe-${az}`);
                        const subnet = resources.get(T.subnet, `workload-endpoint-${az}`);
                        assert.deepStrictEqual(endpoint.inputs.subnetIds, [subnet.id], endpoint.name);
                        assert.strictEqual(subnet.state.availabilityZoneId, resources.get(T.subnet, `workload-vpcLink-${az}`).state.availabilityZoneId);
                        assert.ok(gwlbZones.includes(subnet.state.availabilityZoneId), `${endpoint.name}: the load balancer has no node in its zone`);
                        assert.strictEqual(endpoint.inputs.vpcEndpointType, "GatewayLoadBalancer");
                        assert.strictEqual(endpoint.inputs.serviceName, serviceName, endpoint.name);
                        assert.strictEqual(endpoint.inputs.vpcId, resources.get(T.vpc, "workload-vpc").id, endpoint.name);
                    }
                });

                it("gives no route table to two subnets, and keeps endpoint and privateLink tables local only", () => {
                    const { resources } = run;
                    const tables = resources.ofType(T.routeTableAssociation).map(a => a.inputs.routeTableId);
                    assert.strictEqual(new Set(tables).size, tables.length);
                    // Standalone and inline routes alike, and the prefix-list routes gateway endpoints add.
                    const routed = new Set(networkModel(resources).routes.map(r => r.routeTableId));
                    resources.ofType(T.vpcEndpoint).forEach(e => (e.inputs.routeTableIds ?? []).forEach((id: string) => routed.add(id)));
                    const localOnly = resources.ofType(T.routeTable).filter(t => ["endpoint", "privateLink"].includes(t.inputs.tags.tier));
                    assert.strictEqual(localOnly.length, 2 * azs);
                    for (const table of localOnly) {
                        assert.ok(!routed.has(table.id!), `${table.name} has routes`);
                        assert.strictEqual(table.inputs.routes, undefined, `${table.name} has inline routes`);
                    }
                });

                it("writes 2 × AZs² routes, each to an exact subnet CIDR, a child of the component that depends on its endpoint and destination subnet", () => {
                    const { resources } = run;
                    const routing = resources.get(T.inspectedRouting, "routing");
                    const endpoints = new Map(endpointsOf(run).map(e => [e.id, e]));
                    const subnetByCidr = new Map(resources.ofType(T.subnet).map(s => [s.inputs.cidrBlock, s]));
                    const routes = resources.ofType(T.route).filter(r => r.inputs.vpcEndpointId !== undefined);
                    assert.strictEqual(routes.length, 2 * azs * azs);
                    for (const route of routes) {
                        const endpoint = endpoints.get(route.inputs.vpcEndpointId);
                        assert.ok(endpoint, `${route.name} targets no GWLB endpoint`);
                        assert.strictEqual(route.parent, routing.urn, route.name);
                        // The engine receives one list of dependencies: a dependsOn on what an input already references
                        // adds the same edge, so only the edge itself can be observed.
                        assert.ok(route.dependencies.includes(endpoint.urn), `${route.name} does not depend on ${endpoint.name}`);
                        const destination = subnetByCidr.get(route.inputs.destinationCidrBlock);
                        assert.ok(destination, `${route.name}: no subnet has its destination's CIDR`);
                        // AWS refuses a route to a subnet CIDR before that subnet exists.
                        assert.ok(route.dependencies.includes(destination.urn), `${route.name} does not depend on ${destination.name}`);
                    }
                    assert.deepStrictEqual(resources.children(routing).map(r => r.type).sort(),
                        [...Array(azs).fill(T.vpcEndpoint), ...Array(2 * azs * azs).fill(T.route)].sort());
                });
            });
        }
    }

    it("exports the endpoint ids by AZ", async () => {
        const run = await deploy({ config: { availabilityZoneCount: 3 } });
        const byName = endpointsOf(run).sort((a, b) => a.name.localeCompare(b.name)).map(e => e.id);
        assert.deepStrictEqual((run.outputs.inspection as Record<string, unknown>).gatewayLoadBalancerEndpointIds, byName);
    });

    it("keeps flows inspected with NAT egress: the default route loses to the exact vpcLink routes", async () => {
        const run = await deploy({ config: { availabilityZoneCount: 3, workloadEgress: "nat" } });
        const sim = simulateFlows(networkModel(run.resources), "vpcLink", "service");
        assert.strictEqual(sim.flows.length, 9);
        assert.deepStrictEqual(sim.flows.filter(f => f.verdict !== "inspected").map(describeFlow), []);
        assert.ok(run.resources.ofType(T.route).some(r => r.inputs.natGatewayId !== undefined), "the NAT routes exist");
    });

    it("plans the route table of design §3 as data", () => {
        const routes = planInspectedRoutes(["L0", "L1"], ["S0", "S1"]).map(r =>
            `${r.table.tier}-${r.table.az}: ${r.destination.cidrBlock} → gwlbe-${r.endpointAz}`).sort();
        assert.deepStrictEqual(routes, [
            "service-0: L0 → gwlbe-0", "service-0: L1 → gwlbe-1", "service-1: L0 → gwlbe-0", "service-1: L1 → gwlbe-1",
            "vpcLink-0: S0 → gwlbe-0", "vpcLink-0: S1 → gwlbe-0", "vpcLink-1: S0 → gwlbe-1", "vpcLink-1: S1 → gwlbe-1",
        ]);
    });

    it("refuses tiers that do not have one subnet per AZ, naming the argument", async () => {
        const ids = (n: number, id: string) => Array.from({ length: n }, () => pulumi.output(id));
        const tier = (n: number) => ({ subnetIds: ids(n, "subnet-1"), cidrBlocks: Array(n).fill("10.0.0.0/24"), routeTableIds: ids(n, "rtb-1") });
        const run = await runProgram({
            program: () => new InspectedRouting("r", {
                vpcId: "vpc-1", endpointServiceName: "svc", endpointSubnets: tier(2), vpcLinkSubnets: tier(2), serviceSubnets: tier(3),
            }),
        });
        assert.match(run.error?.message ?? "", /^InspectedRouting r: args.serviceSubnets must have one subnet, CIDR and route table per AZ \(2\), got 3, 3 and 3$/);
        assert.strictEqual(run.resources.ofType(T.vpcEndpoint).length, 0);
    });
});
