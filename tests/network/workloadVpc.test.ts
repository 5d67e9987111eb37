import * as assert from "assert";
import { contains, overlaps, parseCidr } from "../../components/network/cidr";
import { availabilityZones, deploy, ProgramRun, Registration, T } from "../kit";

const TIERS = ["service", "vpcLink", "endpoint", "privateLink"];

/** The subnet, route table and association of every (tier, AZ), found through the ids that connect them. */
function wiring(run: ProgramRun) {
    const { resources } = run;
    const subnets = resources.ofType(T.subnet);
    const associations = resources.ofType(T.routeTableAssociation);
    return subnets.map(subnet => {
        const assoc = associations.filter(a => a.inputs.subnetId === subnet.id);
        assert.strictEqual(assoc.length, 1, `${subnet.name} has ${assoc.length} route table associations`);
        const table = resources.byId(assoc[0].inputs.routeTableId);
        assert.ok(table && table.type === T.routeTable, `${subnet.name}: association names no route table`);
        return { subnet, table, tier: subnet.inputs.tags.tier as string, az: subnet.inputs.availabilityZoneId as string };
    });
}

/** The first `count` zone IDs of the mock region in ID order, with this account's names for them. */
function expectedZones(region: string, count: number): { zoneIds: string[]; names: string[] } {
    const offered = availabilityZones(region);
    const zoneIds = [...offered.zoneIds].sort().slice(0, count);
    return { zoneIds, names: zoneIds.map(id => offered.names[offered.zoneIds.indexOf(id)]) };
}

/** The run as the workload VPC (and the logs key it uses) see it: the other components' resources left out. */
async function deployWorkload(config: Record<string, string | number>): Promise<ProgramRun> {
    const run = await deploy({ config });
    const { resources } = run;
    return { ...run, resources: resources.within(resources.get(T.workloadVpc, "workload"), resources.get(T.logKey, "logs")) };
}

function routesOf(run: ProgramRun, table: Registration): Registration[] {
    return run.resources.ofType(T.route).filter(r => r.inputs.routeTableId === table.id);
}

describe("WorkloadVpc", () => {
    for (const azs of [2, 3, 6]) {
        for (const cidr of ["10.0.0.0/16", "10.64.0.0/18", "192.168.0.0/20"]) {
            describe(`${azs} AZs in ${cidr}`, () => {
                let run: ProgramRun;
                before(async () => {
                    run = await deployWorkload({ availabilityZoneCount: azs, workloadVpcCidr: cidr, securityVpcCidr: "172.16.0.0/16" });
                });

                it("builds one VPC with DNS support and hostnames", () => {
                    const [vpc, ...more] = run.resources.ofType(T.vpc);
                    assert.strictEqual(more.length, 0);
                    assert.strictEqual(vpc.inputs.cidrBlock, cidr);
                    assert.strictEqual(vpc.inputs.enableDnsSupport, true);
                    assert.strictEqual(vpc.inputs.enableDnsHostnames, true);
                });

                it("places every subnet inside the VPC, all disjoint, none with public IPs", () => {
                    const subnets = run.resources.ofType(T.subnet);
                    assert.strictEqual(subnets.length, TIERS.length * azs);
                    const blocks = subnets.map(s => parseCidr(s.inputs.cidrBlock));
                    blocks.forEach((b, i) => assert.ok(contains(parseCidr(cidr), b), `${subnets[i].name} outside the VPC`));
                    for (let i = 0; i < blocks.length; i++) {
                        for (let j = i + 1; j < blocks.length; j++) {
                            assert.ok(!overlaps(blocks[i], blocks[j]), `${subnets[i].name} overlaps ${subnets[j].name}`);
                        }
                    }
                    subnets.forEach(s => assert.strictEqual(s.inputs.mapPublicIpOnLaunch, false, s.name));
                });

                it("has exactly one subnet per AZ per tier, in the first AZs by zone ID", () => {
                    const expected = expectedZones(run.region, azs);
                    assert.deepStrictEqual(expected.zoneIds, ["use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az5", "use1-az6"].slice(0, azs));
                    const found = wiring(run);
                    for (const tier of TIERS) {
                        assert.deepStrictEqual(found.filter(w => w.tier === tier).map(w => w.az).sort(), expected.zoneIds, tier);
                    }
                    found.filter(w => w.tier === "endpoint").forEach(w => assert.match(w.subnet.inputs.cidrBlock, /\/28$/));
                });

                it("gives every subnet a route table of its own, in its own VPC", () => {
                    const found = wiring(run);
                    const tables = found.map(w => w.table.urn);
                    assert.strictEqual(new Set(tables).size, found.length, "a route table is shared");
                    assert.strictEqual(run.resources.ofType(T.routeTable).length, found.length, "a route table has no subnet");
                    const vpcId = run.resources.ofType(T.vpc)[0].id;
                    found.forEach(w => assert.strictEqual(w.table.inputs.vpcId, vpcId));
                    found.forEach(w => assert.strictEqual(w.table.inputs.tags.tier, w.tier, `${w.table.name} serves another tier`));
                });

                it("exports each tier ordered by AZ", () => {
                    const outputs = run.outputs as {
                        availabilityZones: string[];
                        availabilityZoneIds: string[];
                        workloadVpc: Record<string, { subnetIds: string[]; cidrBlocks: string[]; routeTableIds: string[] }>;
                    };
                    const expected = expectedZones(run.region, azs);
                    assert.deepStrictEqual(outputs.availabilityZoneIds, expected.zoneIds);
                    assert.deepStrictEqual(outputs.availabilityZones, expected.names);
                    const found = wiring(run);
                    for (const tier of TIERS) {
                        const exported = outputs.workloadVpc[`${tier}Subnets`];
                        assert.strictEqual(exported.subnetIds.length, azs, tier);
                        exported.subnetIds.forEach((id, az) => {
                            const w = found.find(f => f.subnet.id === id)!;
                            assert.strictEqual(w.tier, tier);
                            assert.strictEqual(w.az, outputs.availabilityZoneIds[az], `${tier}[${az}] is in another AZ`);
                            assert.strictEqual(w.subnet.state.availabilityZone, outputs.availabilityZones[az]);
                            assert.strictEqual(w.subnet.inputs.cidrBlock, exported.cidrBlocks[az]);
                            assert.strictEqual(w.table.id, exported.routeTableIds[az]);
                        });
                    }
                });
            });
        }
    }

    describe("egress", () => {
        let endpoints: ProgramRun;
        let nat: ProgramRun;
        before(async () => {
            endpoints = await deployWorkload({ availabilityZoneCount: 3, workloadEgress: "endpoints" });
            nat = await deployWorkload({ availabilityZoneCount: 3, workloadEgress: "nat" });
        });

        it("with `endpoints` has no internet gateway, NAT, public subnet or default route", () => {
            for (const type of [T.internetGateway, T.natGateway, T.eip, T.route]) {
                assert.strictEqual(endpoints.resources.ofType(type).length, 0, type);
            }
            assert.ok(wiring(endpoints).every(w => w.tier !== "public"));
        });

        it("with `nat` adds exactly public subnets, their tables, an IGW, and a NAT gateway and two routes per AZ", () => {
            const count = (run: ProgramRun) => new Map(run.resources.countByType());
            const before = count(endpoints);
            const after = count(nat);
            const added = [...after].map(([type, n]) => [type, n - (before.get(type) ?? 0)]).filter(([, n]) => n !== 0);
            assert.deepStrictEqual(Object.fromEntries(added), {
                [T.subnet]: 3, [T.routeTable]: 3, [T.routeTableAssociation]: 3,
                [T.internetGateway]: 1, [T.eip]: 3, [T.natGateway]: 3, [T.route]: 6,
            });
        });

        it("with `nat` sends 0.0.0.0/0 from each service table to the NAT gateway of its AZ, and nothing else", () => {
            const found = wiring(nat);
            const igw = nat.resources.ofType(T.internetGateway)[0];
            for (const w of found) {
                const routes = routesOf(nat, w.table);
                if (w.tier === "service") {
                    assert.strictEqual(routes.length, 1);
                    assert.strictEqual(routes[0].inputs.destinationCidrBlock, "0.0.0.0/0");
                    const natGw = nat.resources.byId(routes[0].inputs.natGatewayId)!;
                    const natSubnet = found.find(f => f.subnet.id === natGw.inputs.subnetId)!;
                    assert.strictEqual(natSubnet.tier, "public");
                    assert.strictEqual(natSubnet.az, w.az, `${w.subnet.name} leaves through another AZ's NAT`);
                } else if (w.tier === "public") {
                    assert.deepStrictEqual(routes.map(r => [r.inputs.destinationCidrBlock, r.inputs.gatewayId]), [["0.0.0.0/0", igw.id]]);
                } else {
                    assert.deepStrictEqual(routes, [], `${w.table.name} must keep only local routes`);
                }
            }
            nat.resources.ofType(T.natGateway).forEach(n => assert.ok(nat.resources.byId(n.inputs.allocationId)?.type === T.eip));
        });
    });

    describe("endpoints, security groups and flow logs (dev stack)", () => {
        let run: ProgramRun;
        before(async () => {
            run = await deployWorkload({ logRetentionDays: 90 });
        });

        it("puts the S3 and DynamoDB gateway endpoints on the service route tables only", () => {
            const serviceTables = wiring(run).filter(w => w.tier === "service").map(w => w.table.id).sort();
            for (const service of ["s3", "dynamodb"]) {
                const endpoint = run.resources.get(T.vpcEndpoint, `workload-${service}`);
                assert.strictEqual(endpoint.inputs.vpcEndpointType, "Gateway");
                assert.strictEqual(endpoint.inputs.serviceName, `com.amazonaws.us-east-1.${service}`);
                assert.deepStrictEqual([...endpoint.inputs.routeTableIds].sort(), serviceTables);
            }
            const s3Policy = JSON.parse(run.resources.get(T.vpcEndpoint, "workload-s3").inputs.policy);
            assert.deepStrictEqual(s3Policy.Statement.map((s: { Action: string; Resource: string }) => [s.Action, s.Resource]), [
                ["s3:GetObject", "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"],
            ]);
        });

        it("puts ecr.api, ecr.dkr and logs interface endpoints in the privateLink subnets behind HTTPS from service subnets only", () => {
            const privateLink = wiring(run).filter(w => w.tier === "privateLink").map(w => w.subnet.id).sort();
            const sg = run.resources.get(T.securityGroup, "workload-endpoints-sg");
            for (const service of ["ecr.api", "ecr.dkr", "logs"]) {
                const endpoint = run.resources.ofType(T.vpcEndpoint).find(e => e.inputs.serviceName === `com.amazonaws.us-east-1.${service}`)!;
                assert.strictEqual(endpoint.inputs.vpcEndpointType, "Interface");
                assert.strictEqual(endpoint.inputs.privateDnsEnabled, true);
                assert.deepStrictEqual([...endpoint.inputs.subnetIds].sort(), privateLink);
                assert.deepStrictEqual(endpoint.inputs.securityGroupIds, [sg.id]);
            }
            assert.strictEqual(sg.inputs.ingress, undefined);
            assert.strictEqual(sg.inputs.egress, undefined);
            const rules = run.resources.ofType(T.ingressRule).filter(r => r.inputs.securityGroupId === sg.id);
            assert.deepStrictEqual(rules.map(r => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]).sort(), [
                ["tcp", 443, 443, "10.0.0.0/20"],
                ["tcp", 443, 443, "10.0.32.0/20"],
            ]);
            assert.strictEqual(run.resources.ofType(T.ingressRule).length, rules.length, "the workload VPC has no other security group yet");
            assert.strictEqual(run.resources.ofType(T.egressRule).length, 0);
        });

        it("strips the default security group of every rule", () => {
            const sg = run.resources.get(T.defaultSecurityGroup, "workload-default-sg");
            assert.strictEqual(sg.inputs.vpcId, run.resources.ofType(T.vpc)[0].id);
            assert.strictEqual(sg.inputs.ingress, undefined);
            assert.strictEqual(sg.inputs.egress, undefined);
        });

        it("records ALL traffic into a log group encrypted with the rotated logs key, kept logRetentionDays", () => {
            const flowLog = run.resources.ofType(T.flowLog)[0];
            const logGroup = run.resources.get(T.logGroup, "workload-flow-logs-logs");
            const key = run.resources.get(T.kmsKey, "logs-key");
            assert.strictEqual(flowLog.inputs.trafficType, "ALL");
            assert.strictEqual(flowLog.inputs.vpcId, run.resources.ofType(T.vpc)[0].id);
            assert.strictEqual(flowLog.inputs.logDestination, logGroup.state.arn);
            assert.strictEqual(logGroup.inputs.retentionInDays, 90);
            assert.strictEqual(logGroup.inputs.kmsKeyId, key.state.arn);
            assert.strictEqual(key.inputs.enableKeyRotation, true);
        });

        it("lets only this account's flow-logs service write, and only to its own group", () => {
            const role = run.resources.get(T.iamRole, "workload-flow-logs-role");
            const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
            assert.deepStrictEqual(trust.Principal, { Service: "vpc-flow-logs.amazonaws.com" });
            assert.strictEqual(trust.Condition.StringEquals["aws:SourceAccount"], "123456789012");
            const policy = JSON.parse(run.resources.get(T.iamRolePolicy, "workload-flow-logs-write").inputs.policy);
            const arn = run.resources.get(T.logGroup, "workload-flow-logs-logs").state.arn;
            assert.deepStrictEqual(policy.Statement, [
                {
                    Sid: "WriteOwnGroup",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                },
                {
                    Sid: "FindOwnGroup",
                    Effect: "Allow",
                    Action: "logs:DescribeLogGroups",
                    Resource: "arn:aws:logs:us-east-1:123456789012:log-group:*",
                },
            ]);
        });

        it("lets CloudWatch Logs use the key only for this account's log groups in this region", () => {
            const policy = JSON.parse(run.resources.get(T.kmsKey, "logs-key").inputs.policy);
            assert.deepStrictEqual(policy.Statement.map((s: { Principal: unknown }) => s.Principal), [
                { AWS: "arn:aws:iam::123456789012:root" },
                { Service: "logs.us-east-1.amazonaws.com" },
            ], "the account administers the key and CloudWatch Logs uses it; nobody else is named");
            const logs = policy.Statement[1];
            assert.strictEqual(logs.Effect, "Allow");
            assert.deepStrictEqual(logs.Condition, {
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*" },
            });
            assert.ok(logs.Action.every((a: string) => a.startsWith("kms:") && !a.includes("*")));
        });

        it("parents every resource it creates to the component, named after it", async () => {
            // The whole program, not the workload's view of it: nothing named for the workload may sit elsewhere.
            const { resources } = await deploy({ config: { logRetentionDays: 90 } });
            const component = resources.get(T.workloadVpc, "workload");
            const below = resources.descendants(component);
            assert.ok(below.length > 30);
            below.forEach(r => assert.ok(r.name.startsWith("workload-"), r.name));
            const named = resources.all.filter(r => r.name.startsWith("workload-"));
            named.forEach(r => assert.ok(below.includes(r), `${r.name} is not under the WorkloadVpc component`));
            assert.strictEqual(named.length, below.length);
        });
    });
});
