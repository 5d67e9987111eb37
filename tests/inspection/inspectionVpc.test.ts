import * as assert from "assert";
import * as zlib from "zlib";
import { ApplianceSpec, InspectionVpc } from "../../components/inspection/inspectionVpc";
import { ConfigValue, deploy, mockParameterValue, ProgramRun, Registration, ResourceRegistry, runProgram, T } from "../kit";

const ACCOUNT_ROOT = "arn:aws:iam::123456789012:root";
const VENDOR_AMI = "ami-0123456789abcdef0";

/** The run as the inspection VPC sees it. */
async function deployInspection(config: Record<string, ConfigValue> = {}): Promise<{ run: ProgramRun; r: ResourceRegistry }> {
    const run = await deploy({ config });
    return { run, r: run.resources.within(run.resources.get(T.inspectionVpc, "inspection")) };
}

const one = (r: ResourceRegistry, type: string): Registration => {
    const found = r.ofType(type);
    assert.strictEqual(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
};
const byArn = (r: ResourceRegistry, arn: string) => r.all.find(x => x.state.arn === arn);
/** The default appliance's user data is a gzipped script; a vendor's is given as it is. */
const decode = (userData: string) => Buffer.from(userData, "base64").toString("utf8");
const gunzip = (userData: string) => zlib.gunzipSync(Buffer.from(userData, "base64")).toString("utf8");

/** Every rule of a security group as [direction, protocol, from, to, CIDR]. */
function rulesOf(r: ResourceRegistry, sg: Registration): string[] {
    const rows = (type: string, dir: string) => r.ofType(type)
        .filter(rule => rule.inputs.securityGroupId === sg.id)
        .map(rule => [dir, rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.cidrIpv4].join(" "));
    return [...rows(T.ingressRule, "in"), ...rows(T.egressRule, "out")].sort();
}

function appliancesOf(r: ResourceRegistry): Registration[] {
    return r.ofType(T.subnet).filter(s => s.inputs.tags.tier === "appliance");
}

describe("InspectionVpc", () => {
    describe("the default Suricata fleet (dev stack)", () => {
        let run: ProgramRun;
        let r: ResourceRegistry;
        before(async () => {
            ({ run, r } = await deployInspection({ applianceHealthPort: 8443, applianceHealthPath: "/ips/health" }));
        });

        it("chains endpoint service → gateway load balancer → listener → GENEVE:6081 target group ← Auto Scaling group", () => {
            const vpc = run.resources.get(T.vpc, "inspection-vpc");
            const service = one(r, T.vpcEndpointService);
            const gwlb = one(r, T.loadBalancer);
            const listener = one(r, T.listener);
            const targetGroup = one(r, T.targetGroup);
            const asg = one(r, T.autoScalingGroup);

            assert.deepStrictEqual(service.inputs.gatewayLoadBalancerArns, [gwlb.state.arn]);
            assert.strictEqual(gwlb.inputs.loadBalancerType, "gateway");
            assert.strictEqual(gwlb.inputs.enableCrossZoneLoadBalancing, true);
            assert.deepStrictEqual([...gwlb.inputs.subnets].sort(), appliancesOf(r).map(s => s.id).sort());
            assert.strictEqual(listener.inputs.loadBalancerArn, gwlb.state.arn);
            assert.deepStrictEqual(listener.inputs.defaultActions, [{ type: "forward", targetGroupArn: targetGroup.state.arn }]);
            assert.strictEqual(targetGroup.inputs.protocol, "GENEVE");
            assert.strictEqual(targetGroup.inputs.port, 6081);
            assert.strictEqual(targetGroup.inputs.targetType, "instance");
            assert.strictEqual(targetGroup.inputs.vpcId, vpc.id);
            assert.deepStrictEqual(asg.inputs.targetGroupArns, [targetGroup.state.arn]);
            assert.deepStrictEqual([...asg.inputs.vpcZoneIdentifiers].sort(), appliancesOf(r).map(s => s.id).sort());
            assert.strictEqual((run.outputs.inspection as Record<string, unknown>).endpointServiceName, service.state.serviceName);
        });

        it("checks appliance health over HTTP on the configured port and path, and rebalances flows off failed targets", () => {
            const targetGroup = one(r, T.targetGroup);
            assert.deepStrictEqual(
                (({ protocol, port, path, matcher }) => ({ protocol, port, path, matcher }))(targetGroup.inputs.healthCheck),
                { protocol: "HTTP", port: "8443", path: "/ips/health", matcher: "200" },
            );
            assert.deepStrictEqual(targetGroup.inputs.targetFailovers, [{ onDeregistration: "rebalance", onUnhealthy: "rebalance" }]);
            assert.ok(targetGroup.inputs.deregistrationDelay <= 60, "a short deregistration delay");
        });

        it("lets only this account connect, without acceptance", () => {
            const service = one(r, T.vpcEndpointService);
            assert.strictEqual(service.inputs.acceptanceRequired, false);
            assert.deepStrictEqual(service.inputs.allowedPrincipals, [ACCOUNT_ROOT]);
        });

        it("allows GENEVE and the health port from the appliance subnets, GENEVE back, and updates out; nothing wider", () => {
            const sg = r.get(T.securityGroup, "inspection-appliances-sg");
            const cidrs = appliancesOf(r).map(s => s.inputs.cidrBlock as string);
            assert.deepStrictEqual(cidrs, ["10.100.0.0/20", "10.100.32.0/20"]);
            assert.deepStrictEqual(rulesOf(r, sg), [
                ...cidrs.flatMap(c => [`in tcp 8443 8443 ${c}`, `in udp 6081 6081 ${c}`, `out udp 6081 6081 ${c}`]),
                "out tcp 443 443 0.0.0.0/0",
                "out tcp 80 80 0.0.0.0/0",
            ].sort());
            assert.strictEqual(sg.inputs.ingress, undefined);
            assert.strictEqual(sg.inputs.egress, undefined);
        });

        it("launches with IMDSv2 only, an encrypted gp3 root under its own rotated key, no key pair and no public IP", () => {
            const lt = one(r, T.launchTemplate);
            const key = r.get(T.kmsKey, "inspection-appliances-volume-key");
            assert.deepStrictEqual(lt.inputs.metadataOptions, {
                httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled",
            });
            assert.strictEqual(lt.inputs.keyName, undefined);
            assert.strictEqual(lt.inputs.networkInterfaces.length, 1);
            assert.strictEqual(lt.inputs.networkInterfaces[0].associatePublicIpAddress, "false");
            assert.deepStrictEqual(lt.inputs.networkInterfaces[0].securityGroups, [r.get(T.securityGroup, "inspection-appliances-sg").id]);
            assert.strictEqual(lt.inputs.blockDeviceMappings.length, 1);
            const [root] = lt.inputs.blockDeviceMappings;
            assert.strictEqual(root.deviceName, "/dev/sda1", "the AMI's root device");
            assert.deepStrictEqual(
                (({ volumeType, encrypted, kmsKeyId }) => ({ volumeType, encrypted, kmsKeyId }))(root.ebs),
                { volumeType: "gp3", encrypted: "true", kmsKeyId: key.state.arn },
            );
            assert.strictEqual(key.inputs.enableKeyRotation, true);
        });

        it("boots Debian 13 for the instance type's architecture, from Debian's SSM parameter", () => {
            const lt = one(r, T.launchTemplate);
            assert.strictEqual(lt.inputs.instanceType, "t3.small");
            assert.strictEqual(lt.inputs.imageId, mockParameterValue("/aws/service/debian/release/13/latest/amd64"));
        });

        it("lets Auto Scaling's own role use the volume key, and grant it only to AWS resources", () => {
            const asg = one(r, T.autoScalingGroup);
            const role = one(r, T.serviceLinkedRole);
            assert.strictEqual(role.inputs.awsServiceName, "autoscaling.amazonaws.com");
            assert.strictEqual(asg.inputs.serviceLinkedRoleArn, role.state.arn);
            const policy = JSON.parse(r.get(T.kmsKey, "inspection-appliances-volume-key").inputs.policy);
            assert.deepStrictEqual(policy.Statement.map((s: { Principal: unknown }) => s.Principal), [
                { AWS: ACCOUNT_ROOT }, { AWS: role.state.arn }, { AWS: role.state.arn },
            ]);
            const grant = policy.Statement.find((s: { Action: unknown }) => s.Action === "kms:CreateGrant");
            assert.deepStrictEqual(grant.Condition, { Bool: { "kms:GrantIsForAWSResource": true } });
        });

        it("gives instances SSM core plus only listing ENIs and writing their own alerts group", () => {
            const lt = one(r, T.launchTemplate);
            const profile = byArn(r, lt.inputs.iamInstanceProfile.arn)!;
            assert.strictEqual(profile.type, T.instanceProfile);
            const role = r.all.find(x => x.type === T.iamRole && x.state.name === profile.inputs.role)!;
            assert.strictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "ec2.amazonaws.com");
            const attached = r.ofType(T.iamRolePolicyAttachment).filter(a => a.inputs.role === role.state.name);
            assert.deepStrictEqual(attached.map(a => a.inputs.policyArn), ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
            const inline = r.ofType(T.iamRolePolicy).filter(p => p.inputs.role === role.id);
            assert.strictEqual(inline.length, 1);
            const alerts = r.get(T.logGroup, "inspection-appliances-alerts");
            const statements = JSON.parse(inline[0].inputs.policy).Statement;
            assert.deepStrictEqual(statements.map((s: { Action: unknown; Resource: unknown }) => [s.Action, s.Resource]), [
                ["ec2:DescribeNetworkInterfaces", "*"],
                [["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], [alerts.state.arn, `${alerts.state.arn}:*`]],
            ]);
            assert.deepStrictEqual(statements[0].Condition, { StringEquals: { "aws:RequestedRegion": "us-east-1" } });
            assert.strictEqual(alerts.inputs.retentionInDays, 7);
            assert.strictEqual(alerts.inputs.kmsKeyId, run.resources.get(T.kmsKey, "logs-key").state.arn);
        });

        it("renders the Suricata boot script for this GWLB, health port and alerts group", () => {
            const script = gunzip(one(r, T.launchTemplate).inputs.userData);
            const gwlb = one(r, T.loadBalancer);
            assert.ok(script.includes(`readonly GWLB_ENI_DESCRIPTION='ELB ${gwlb.state.arnSuffix}'`), "finds this GWLB's ENIs");
            assert.match(gwlb.state.arnSuffix, /^gwy\//);
            assert.ok(script.includes("readonly HEALTH_PORT='8443'"));
            assert.ok(script.includes("readonly HEALTH_PATH='/ips/health'"));
            assert.ok(script.includes(`readonly ALERTS_LOG_GROUP='${r.get(T.logGroup, "inspection-appliances-alerts").state.name}'`));
            assert.ok(script.includes("readonly HOME_NET='[10.0.0.0/16]'"), "the IPS protects the workload VPC");
            assert.ok(script.includes("readonly HTTP_PORTS='[80,8080]'"), "HTTP rules watch the services' port");
            assert.doesNotMatch(script, /\{\{[A-Z_]+\}\}/);
        });

        it("checks ELB health after a boot grace, refreshes instances when the template changes, tracks CPU", () => {
            const asg = one(r, T.autoScalingGroup);
            const lt = one(r, T.launchTemplate);
            assert.strictEqual(asg.inputs.healthCheckType, "ELB");
            assert.ok(asg.inputs.healthCheckGracePeriod >= 300, "Suricata needs minutes to install and load rules");
            assert.deepStrictEqual(asg.inputs.launchTemplate, { id: lt.id, version: "1" });
            assert.strictEqual(asg.inputs.instanceRefresh.strategy, "Rolling");
            assert.strictEqual(asg.inputs.instanceRefresh.preferences.minHealthyPercentage, 100, "replacements come up before predecessors leave");
            const policy = one(r, T.autoScalingPolicy);
            assert.strictEqual(policy.inputs.autoscalingGroupName, asg.state.name);
            assert.strictEqual(policy.inputs.policyType, "TargetTrackingScaling");
            assert.strictEqual(policy.inputs.targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType, "ASGAverageCPUUtilization");
        });

        it("launches appliances only once the NAT routes they boot through exist", () => {
            const asg = one(r, T.autoScalingGroup);
            const fleet = r.get(T.applianceFleet, "inspection-appliances");
            const natRoutes = r.ofType(T.route).filter(x => x.name.startsWith("inspection-appliance-default-"));
            assert.strictEqual(natRoutes.length, 2);
            natRoutes.forEach(route => assert.ok(fleet.explicitDependencies.includes(route.urn), `${route.name} is not awaited`));
            assert.ok(run.resources.descendants(fleet).includes(asg));
        });

        it("raises an alarm while no appliance is healthy", () => {
            const alarm = r.get(T.metricAlarm, "inspection-no-healthy-appliance");
            assert.strictEqual(alarm.inputs.namespace, "AWS/GatewayELB");
            assert.strictEqual(alarm.inputs.metricName, "HealthyHostCount");
            assert.deepStrictEqual(alarm.inputs.dimensions, {
                LoadBalancer: one(r, T.loadBalancer).state.arnSuffix,
                TargetGroup: one(r, T.targetGroup).state.arnSuffix,
            });
            assert.deepStrictEqual([alarm.inputs.comparisonOperator, alarm.inputs.threshold, alarm.inputs.treatMissingData],
                ["LessThanThreshold", 1, "breaching"]);
            assert.strictEqual(alarm.inputs.alarmActions, undefined, "dev sets no alarmTopicArn");
        });

        it("notifies alarmTopicArn when it is set", async () => {
            const topic = "arn:aws:sns:us-east-1:123456789012:inspection-pager";
            const { r: withTopic } = await deployInspection({ alarmTopicArn: topic });
            const alarms = withTopic.ofType(T.metricAlarm);
            assert.deepStrictEqual(alarms.map(a => a.name).sort(), ["inspection-appliances-rules-update-failing", "inspection-no-healthy-appliance"]);
            for (const alarm of alarms) {
                assert.deepStrictEqual([alarm.inputs.alarmActions, alarm.inputs.okActions], [[topic], [topic]], alarm.name);
            }
        });

        it("alarms when an appliance cannot refresh its rules, counted from the event its boot script logs", () => {
            const alerts = r.get(T.logGroup, "inspection-appliances-alerts");
            const filter = one(r, T.logMetricFilter);
            assert.strictEqual(filter.inputs.logGroupName, alerts.state.name);
            assert.strictEqual(filter.inputs.pattern, '{ $.event_type = "rules_update_failed" }');
            const alarm = r.get(T.metricAlarm, "inspection-appliances-rules-update-failing");
            assert.deepStrictEqual([alarm.inputs.namespace, alarm.inputs.metricName], [filter.inputs.metricTransformation.namespace, filter.inputs.metricTransformation.name]);
            assert.strictEqual(alarm.inputs.namespace, `inspected-api/${alerts.state.name}`, "one stack's failures never page another's");
            assert.deepStrictEqual([alarm.inputs.statistic, alarm.inputs.comparisonOperator, alarm.inputs.threshold, alarm.inputs.treatMissingData],
                ["Sum", "GreaterThanOrEqualToThreshold", 1, "notBreaching"]);
            // Daily refreshes up to 25 h apart: one failure in the last 26 hours keeps it in alarm.
            assert.deepStrictEqual([alarm.inputs.period, alarm.inputs.evaluationPeriods, alarm.inputs.datapointsToAlarm], [3600, 26, 1]);
            assert.match(gunzip(one(r, T.launchTemplate).inputs.userData), /appliance-event rules_update_failed /, "the script logs the event the filter counts");
        });

        it("routes each appliance subnet to its own AZ's NAT gateway and records flow logs", () => {
            for (const subnet of appliancesOf(r)) {
                const table = r.byId(r.ofType(T.routeTableAssociation).find(a => a.inputs.subnetId === subnet.id)!.inputs.routeTableId)!;
                const routes = r.ofType(T.route).filter(x => x.inputs.routeTableId === table.id);
                assert.strictEqual(routes.length, 1);
                const nat = r.byId(routes[0].inputs.natGatewayId)!;
                assert.strictEqual(r.byId(nat.inputs.subnetId)!.inputs.availabilityZoneId, subnet.inputs.availabilityZoneId);
            }
            const flowLog = one(r, T.flowLog);
            assert.strictEqual(flowLog.inputs.vpcId, run.resources.get(T.vpc, "inspection-vpc").id);
            assert.strictEqual(flowLog.inputs.trafficType, "ALL");
        });

        it("parents every resource to the component, named after it, and exports its outputs", () => {
            const component = run.resources.get(T.inspectionVpc, "inspection");
            r.all.filter(x => x !== component).forEach(x => assert.ok(x.name.startsWith("inspection-"), x.name));
            const outputs = run.outputs.inspection as Record<string, string>;
            assert.strictEqual(outputs.vpcId, run.resources.get(T.vpc, "inspection-vpc").id);
            assert.strictEqual(outputs.gatewayLoadBalancerArn, one(r, T.loadBalancer).state.arn);
            assert.strictEqual(outputs.targetGroupArn, one(r, T.targetGroup).state.arn);
        });
    });

    for (const azs of [2, 3, 6]) {
        it(`sizes the fleet and subnets for ${azs} AZs`, async () => {
            const { r } = await deployInspection({ availabilityZoneCount: azs, appliancesPerAz: 2, applianceMaxPerAz: 5 });
            const asg = one(r, T.autoScalingGroup);
            assert.strictEqual(asg.inputs.minSize, 2 * azs);
            assert.strictEqual(asg.inputs.maxSize, 5 * azs);
            const subnets = appliancesOf(r);
            assert.strictEqual(subnets.length, azs);
            assert.strictEqual(new Set(subnets.map(s => s.inputs.availabilityZoneId)).size, azs);
            assert.strictEqual(asg.inputs.vpcZoneIdentifiers.length, azs);
            assert.strictEqual(one(r, T.loadBalancer).inputs.subnets.length, azs);
            assert.strictEqual(r.ofType(T.natGateway).length, azs);
            assert.strictEqual(r.ofType(T.ingressRule).length, 2 * azs);
        });
    }

    it("picks the arm64 Debian image for a Graviton instance type", async () => {
        const { r } = await deployInspection({ applianceInstanceType: "c7g.large" });
        assert.strictEqual(one(r, T.launchTemplate).inputs.imageId,
            mockParameterValue("/aws/service/debian/release/13/latest/arm64"));
    });

    describe("a vendor appliance", () => {
        it("swaps in the given image and user data, with no Suricata alerts group or boot permissions", async () => {
            const vendorScript = "#!/bin/bash\necho vendor-appliance\n";
            const { r } = await deployInspection({ applianceAmiId: VENDOR_AMI, applianceUserData: vendorScript, applianceHealthProtocol: "TCP", applianceHealthPort: 443 });
            const lt = one(r, T.launchTemplate);
            assert.strictEqual(lt.inputs.imageId, VENDOR_AMI);
            assert.strictEqual(decode(lt.inputs.userData), vendorScript);
            assert.strictEqual(lt.inputs.blockDeviceMappings[0].deviceName, "/dev/xvda", "the vendor image's own root device");
            assert.strictEqual(lt.inputs.blockDeviceMappings[0].ebs.volumeSize, undefined, "the vendor snapshot decides its size");
            assert.strictEqual(lt.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
            assert.strictEqual(r.ofType(T.logGroup).filter(g => g.name.includes("alerts")).length, 0);
            assert.strictEqual(r.ofType(T.iamRolePolicy).filter(p => p.name.endsWith("-boot")).length, 0);
            assert.deepStrictEqual([r.ofType(T.logMetricFilter).length, r.ofType(T.metricAlarm).map(a => a.name)], [0, ["inspection-no-healthy-appliance"]],
                "no rule refresh to alarm on");
            const health = one(r, T.targetGroup).inputs.healthCheck;
            assert.deepStrictEqual([health.protocol, health.port, health.path, health.matcher], ["TCP", "443", undefined, undefined]);
            const sg = r.get(T.securityGroup, "inspection-appliances-sg");
            assert.ok(!rulesOf(r, sg).some(rule => rule.startsWith("out tcp 80 ")), "HTTP out is only for Debian's mirrors");
        });

        it("boots without user data when none is given", async () => {
            const { r } = await deployInspection({ applianceAmiId: VENDOR_AMI });
            assert.strictEqual(one(r, T.launchTemplate).inputs.userData, undefined);
        });

        it("with `endpoints` egress has no internet path: SSM and logs endpoints, HTTPS to the VPC only", async () => {
            const { r } = await deployInspection({ applianceAmiId: VENDOR_AMI, applianceEgress: "endpoints" });
            for (const type of [T.internetGateway, T.natGateway, T.eip, T.route]) {
                assert.strictEqual(r.ofType(type).length, 0, type);
            }
            assert.ok(r.ofType(T.subnet).every(s => s.inputs.tags.tier === "appliance"));
            const endpoints = r.ofType(T.vpcEndpoint);
            assert.deepStrictEqual(endpoints.map(e => e.inputs.serviceName).sort(),
                ["ec2messages", "logs", "ssm", "ssmmessages"].map(s => `com.amazonaws.us-east-1.${s}`));
            const appliance = appliancesOf(r).map(s => s.id).sort();
            endpoints.forEach(e => assert.deepStrictEqual([...e.inputs.subnetIds].sort(), appliance));
            const sg = r.get(T.securityGroup, "inspection-appliances-sg");
            assert.deepStrictEqual(rulesOf(r, sg).filter(rule => rule.startsWith("out tcp")), ["out tcp 443 443 10.100.0.0/16"]);
            const fleet = r.get(T.applianceFleet, "inspection-appliances");
            endpoints.forEach(e => assert.ok(fleet.explicitDependencies.includes(e.urn), `${e.name} is not awaited`));
        });
    });
});

describe("InspectionVpc through its public API", () => {
    const spec = (over: Partial<ApplianceSpec> = {}): ApplianceSpec => ({
        instanceType: "c6in.large",
        minPerAz: 1,
        maxPerAz: 2,
        healthCheck: { protocol: "HTTP", port: 8080, path: "/health" },
        ...over,
    });
    const build = (appliance: ApplianceSpec, egress: "nat" | "endpoints" = "nat") => runProgram({
        program: () => new InspectionVpc("ips", {
            cidrBlock: "10.9.0.0/20",
            availabilityZoneIds: ["use1-az1", "use1-az2", "use1-az4"],
            egress,
            appliance,
            logs: { retentionInDays: 14, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/byo" },
            alarmActions: ["arn:aws:sns:us-east-1:123456789012:pager"],
        }),
    });

    it("builds in a program of the user's own, with its names and alarm actions", async () => {
        const run = await build(spec());
        assert.ifError(run.error);
        const r = run.resources;
        assert.strictEqual(one(r, T.autoScalingGroup).inputs.minSize, 3);
        assert.ok(r.all.filter(x => x.type !== T.inspectionVpc).every(x => x.name.startsWith("ips-")));
        for (const alarm of r.ofType(T.metricAlarm)) {
            assert.deepStrictEqual(alarm.inputs.alarmActions, ["arn:aws:sns:us-east-1:123456789012:pager"], alarm.name);
        }
        assert.strictEqual(r.get(T.logGroup, "ips-appliances-alerts").inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/byo");
    });

    // The same rules the stack config applies to its keys (components/inspection/applianceRules.ts), here in the
    // component's own argument names.
    for (const [title, appliance, egress, message] of [
        ["more appliances at minimum than at most", spec({ minPerAz: 3 }), "nat", /^InspectionVpc ips: args\.appliance\.minPerAz must be at most appliance\.maxPerAz \(2\)$/],
        ["an AZ without appliances", spec({ minPerAz: 0 }), "nat", /args\.appliance\.minPerAz must be an integer of at least 1/],
        ["health checks on the GENEVE port", spec({ amiId: VENDOR_AMI, healthCheck: { protocol: "TCP", port: 6081, path: "/" } }), "nat",
            /args\.appliance\.healthCheck\.port must not be 6081/],
        ["user data for the default appliance", spec({ userData: "#!/bin/sh" }), "nat", /args\.appliance\.userData must be empty unless appliance\.amiId is set/],
        ["a TCP health check for the default appliance", spec({ healthCheck: { protocol: "TCP", port: 443, path: "/" } }), "nat",
            /args\.appliance\.healthCheck\.protocol must be HTTP unless appliance\.amiId is set/],
        ["endpoints egress for the default appliance, which installs Suricata at boot", spec(), "endpoints", /args\.egress must be "nat" unless appliance\.amiId is set/],
        ["a HOME_NET that is no CIDR", spec({ homeNetCidrs: ["10.0.0.0/16", "10.0.0.0"] }), "nat", /args\.appliance\.homeNetCidrs must hold IPv4 CIDRs only; "10\.0\.0\.0" is not one/],
    ] as const) {
        it(`refuses ${title}, naming the argument, before any child registers`, async () => {
            const run = await build(appliance, egress);
            assert.match(String(run.error?.message), message);
            assert.deepStrictEqual(run.resources.all.map(x => x.type), [T.inspectionVpc], "nothing but the component itself may register");
        });
    }

    it("reports every broken argument at once", async () => {
        const run = await build(spec({ minPerAz: 3, userData: "#!/bin/sh" }), "endpoints");
        assert.match(String(run.error?.message), /minPerAz must .*; args\.appliance\.userData must .*; args\.egress must /);
    });
});
