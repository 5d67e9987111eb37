import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { parseCidr } from "../network/cidr";
import { planSecuritySubnets } from "../network/subnetPlan";
import { addInterfaceEndpoints, addNatEgress, createTierSubnets, createVpc, planVpc, SubnetTier } from "../network/vpcBuilders";
import { EncryptedLogArgs } from "../security/logEncryptionKey";
import { ApplianceFleet, ApplianceHealthCheck } from "./applianceFleet";
import { ArgRule, checkArgs, knownNow } from "../argRules";
import { applianceRules } from "./applianceRules";
import { APPLIANCE_INTERFACE_ENDPOINTS, GENEVE_PORT } from "./sizing";
import { TaggedArgs, tagChildren } from "../tags";

/** The appliances behind the Gateway Load Balancer. */
export interface ApplianceSpec {
    /** EC2 instance type, e.g. c6in.large. */
    readonly instanceType: string;
    /** Appliances per AZ: the Auto Scaling group's bounds are these times the AZ count. */
    readonly minPerAz: number;
    /** The most appliances per AZ the fleet scales out to. */
    readonly maxPerAz: number;
    /**
     * A vendor image that speaks GENEVE; whether it is set must be known at plan time, its id may come from a lookup.
     * Default: the Suricata IPS on the current Debian stable (13).
     */
    readonly amiId?: pulumi.Input<string>;
    /** Boot script of a vendor image; only with `amiId`. Default: none (the default appliance renders its own). */
    readonly userData?: string;
    /** How the target group checks an appliance. */
    readonly healthCheck: ApplianceHealthCheck;
    /** Average CPU the fleet scales to hold. Default 60. */
    readonly cpuTargetPercent?: pulumi.Input<number>;
    /**
     * The networks the default IPS protects (Suricata's HOME_NET), e.g. the workload VPC's CIDR. Default: the
     * RFC 1918 ranges.
     */
    readonly homeNetCidrs?: string[];
    /** Ports the protected services speak HTTP on, beside 80 (Suricata's HTTP_PORTS), e.g. the services' port. Default: 80 only. */
    readonly httpPorts?: number[];
    /**
     * Description of the launch template. AWS makes a new template version when it changes, and the group then
     * replaces every appliance. Default `<name>-appliances: Suricata IPS` (`: vendor appliance` with `amiId`).
     */
    readonly launchTemplateDescription?: string;
    /** CloudWatch namespace of the rule-refresh failure metric; the alerts log group's name is appended. Default `Suricata`. */
    readonly metricNamespace?: string;

}

/** The first entry that is not an IPv4 CIDR, as a broken rule. */
function notCidr(cidrs: readonly string[]): ArgRule {
    for (const cidr of cidrs) {
        try {
            parseCidr(cidr);
        } catch (err) {
            return `hold IPv4 CIDRs only; ${JSON.stringify(cidr)} is not one (${(err as Error).message})`;
        }
    }
    return undefined;
}

/** Suricata's own default HOME_NET. */
const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Arguments of {@link InspectionVpc}. */
export interface InspectionVpcArgs extends TaggedArgs {
    /** IPv4 CIDR of the security VPC, /16 to /24. Known at plan time: it decides how many subnets exist and where. */
    readonly cidrBlock: string;
    /** AZ IDs to build in, in the same order as the workload VPC's, so endpoint *i* and GWLB node *i* share a zone. */
    readonly availabilityZoneIds: string[];
    /**
     * `nat`: public subnets, an internet gateway and a NAT gateway per AZ, for packages and rule feeds. `endpoints`:
     * none of them, SSM and logs through interface endpoints; for a vendor image with everything baked in.
     */
    readonly egress: string;
    /** The appliances behind the Gateway Load Balancer. */
    readonly appliance: ApplianceSpec;
    /** Retention and key of the flow logs and the alerts log group. */
    readonly logs: EncryptedLogArgs;
    /** Notified when no appliance is healthy or rule refreshes fail, e.g. an SNS topic ARN. Default: no action. */
    readonly alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Who besides this account may connect GWLB endpoints to the service: 12-digit account ids (their root) or IAM
     * ARNs of a root, role or user. Default: this account only.
     */
    readonly allowedPrincipals?: pulumi.Input<string>[];
}

/**
 * The security VPC: a Gateway Load Balancer with cross-zone load balancing over an auto-scaled fleet of inspection
 * appliances, offered to other VPCs as a VPC endpoint service that only this account may connect to.
 */
export class InspectionVpc extends pulumi.ComponentResource {
    /** The security VPC's id. */
    public readonly vpcId: pulumi.Output<string>;
    /** The security VPC's CIDR. */
    public readonly cidrBlock: string;
    /** The appliances and the GWLB, one subnet per AZ. */
    public readonly applianceSubnets: SubnetTier;
    /** Present only with `nat` egress. */
    public readonly publicSubnets?: SubnetTier;
    /** What GWLB endpoints in other VPCs connect to. */
    public readonly endpointServiceName: pulumi.Output<string>;
    /** The endpoint service's id. */
    public readonly endpointServiceId: pulumi.Output<string>;
    /** The Gateway Load Balancer's ARN. */
    public readonly gatewayLoadBalancerArn: pulumi.Output<string>;
    /** The GENEVE target group of the appliances. */
    public readonly targetGroupArn: pulumi.Output<string>;
    /** The appliances' Auto Scaling group. */
    public readonly autoScalingGroupName: pulumi.Output<string>;
    /** Suricata alerts; absent for a vendor image. */
    public readonly alertsLogGroupName?: pulumi.Output<string>;
    /** In alarm while the target group has no healthy appliance. */
    public readonly noHealthyApplianceAlarmArn: pulumi.Output<string>;
    /** Who may connect endpoints to the service: this account's root, then `allowedPrincipals`. */
    public readonly allowedPrincipals: pulumi.Output<string[]>;
    /** The appliances' security group: GENEVE and health checks from the appliance subnets only. */
    public readonly applianceSecurityGroupId: pulumi.Output<string>;
    /** The appliances' instance role: extend it for a vendor image that needs more than SSM. */
    public readonly applianceRoleName: pulumi.Output<string>;
    /**
     * The appliance subnets' default routes to their AZ's NAT gateway; present only with `nat` egress. The appliances
     * already wait for them; anything else that needs the internet from those subnets should too.
     */
    public readonly natRoutes?: aws.ec2.Route[];

    constructor(name: string, args: InspectionVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:inspection:InspectionVpc", name, {}, tagChildren(opts, args.tags));
        const spec = args.appliance;
        const planned = planVpc(args.cidrBlock, args.availabilityZoneIds, planSecuritySubnets);
        checkArgs(this, "InspectionVpc", name, [
            ...planned.rules,
            ["appliance.maxPerAz", planned.plan && applianceRules.fitsApplianceSubnet(spec.maxPerAz, args.egress, planned.plan.tiers.appliance[0], args.cidrBlock)],
            ["egress", applianceRules.egress(args.egress)],
            ["appliance.healthCheck.protocol", applianceRules.healthProtocol(spec.healthCheck.protocol)],
            ["appliance.minPerAz", Number.isInteger(spec.minPerAz) && spec.minPerAz >= 1
                ? applianceRules.minWithinMax(spec.minPerAz, spec.maxPerAz, "appliance.maxPerAz") : "be an integer of at least 1"],
            ["appliance.healthCheck.port", applianceRules.healthPortNotGeneve(spec.healthCheck.port)],
            ["appliance.healthCheck.protocol", applianceRules.httpHealthForDefault(spec.healthCheck.protocol, spec.amiId, "appliance.amiId")],
            ["appliance.userData", applianceRules.userDataOnlyWithAmi(spec.userData, spec.amiId, "appliance.amiId")],
            ["egress", applianceRules.natForDefault(args.egress, spec.amiId, "appliance.amiId")],
            ["appliance.homeNetCidrs", knownNow(spec.homeNetCidrs) ?? notCidr(spec.homeNetCidrs ?? [])],
            ["appliance.httpPorts", knownNow(spec.httpPorts)],
        ]);
        const azs = args.availabilityZoneIds.length;
        const plan = planned.plan!;
        const { accountId, partition } = awsContext(this);

        const vpc = createVpc(name, this, args.cidrBlock, args.logs);
        const appliances = createTierSubnets(name, this, vpc.id, "appliance", plan.tiers.appliance, args.availabilityZoneIds);
        let publicSubnets: SubnetTier | undefined;
        // Appliances reach out while they boot, so they launch only once their way out exists.
        let egress: pulumi.Resource[];
        let natRoutes: aws.ec2.Route[] | undefined;
        if (args.egress === "nat") {
            publicSubnets = createTierSubnets(name, this, vpc.id, "public", plan.tiers.public, args.availabilityZoneIds);
            egress = natRoutes = addNatEgress(name, this, vpc.id, publicSubnets, { name: "appliance", subnets: appliances });
        } else {
            egress = addInterfaceEndpoints(name, this, {
                vpcId: vpc.id,
                services: APPLIANCE_INTERFACE_ENDPOINTS,
                subnetIds: appliances.subnetIds,
                clientTier: { name: "appliance", cidrBlocks: appliances.cidrBlocks },
            });
        }

        const gwlb = new aws.lb.LoadBalancer(`${name}-gwlb`, {
            loadBalancerType: "gateway",
            subnets: appliances.subnetIds,
            // Off by default; on, an AZ whose appliances all fail is served by the other AZs' appliances.
            enableCrossZoneLoadBalancing: true,
            tags: { Name: name },
        }, { parent: this });
        const http = spec.healthCheck.protocol !== "TCP";
        const targetGroup = new aws.lb.TargetGroup(`${name}-geneve`, {
            vpcId: vpc.id,
            protocol: "GENEVE",
            port: GENEVE_PORT,
            targetType: "instance",
            healthCheck: {
                enabled: true,
                protocol: spec.healthCheck.protocol,
                port: String(spec.healthCheck.port),
                path: http ? spec.healthCheck.path : undefined,
                matcher: http ? "200" : undefined,
                interval: 10,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 2,
            },
            // Flows of a failed or removed appliance move to healthy ones instead of being dropped until they end.
            targetFailovers: [{ onDeregistration: "rebalance", onUnhealthy: "rebalance" }],
            deregistrationDelay: 30,
            tags: { Name: `${name}-geneve` },
        }, { parent: this });
        const listener = new aws.lb.Listener(`${name}-listener`, {
            loadBalancerArn: gwlb.arn,
            defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            tags: { Name: `${name}-listener` },
        }, { parent: this });
        // Account ids as AWS stores them: the account's root. This account is always first.
        const principals = pulumi.all([accountId, partition, pulumi.output(args.allowedPrincipals ?? [])]).apply(([account, part, extra]) =>
            [...new Set([`arn:${part}:iam::${account}:root`, ...extra.map(p => /^\d{12}$/.test(p) ? `arn:${part}:iam::${p}:root` : p)])]);
        const endpointService = new aws.ec2.VpcEndpointService(`${name}-endpoint-service`, {
            gatewayLoadBalancerArns: [gwlb.arn],
            acceptanceRequired: false,
            allowedPrincipals: principals,
            supportedIpAddressTypes: ["ipv4"],
            tags: { Name: name },
        }, { parent: this, dependsOn: [listener] });

        const fleet = new ApplianceFleet(`${name}-appliances`, {
            vpcId: vpc.id,
            vpcCidrBlock: args.cidrBlock,
            subnets: appliances,
            egress: args.egress,
            instanceType: spec.instanceType,
            minSize: spec.minPerAz * azs,
            maxSize: spec.maxPerAz * azs,
            amiId: spec.amiId,
            userData: spec.userData,
            healthCheck: spec.healthCheck,
            targetGroupArn: targetGroup.arn,
            gatewayLoadBalancerArnSuffix: gwlb.arnSuffix,
            logs: args.logs,
            cpuTargetPercent: spec.cpuTargetPercent,
            homeNet: spec.homeNetCidrs ?? RFC1918,
            httpPorts: [...new Set([80, ...(spec.httpPorts ?? [])])],
            alarmActions: args.alarmActions,
            launchTemplateDescription: spec.launchTemplateDescription,
            metricNamespace: spec.metricNamespace,
        }, { parent: this, dependsOn: [listener, ...egress] });

        // With no healthy target the GWLB still sends each flow to some appliance, which then cannot pass it.
        const alarm = new aws.cloudwatch.MetricAlarm(`${name}-no-healthy-appliance`, {
            alarmDescription: "No healthy inspection appliance: inspected traffic is being dropped",
            namespace: "AWS/GatewayELB",
            metricName: "HealthyHostCount",
            dimensions: { LoadBalancer: gwlb.arnSuffix, TargetGroup: targetGroup.arnSuffix },
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: 2,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "breaching",
            alarmActions: args.alarmActions,
            okActions: args.alarmActions,
            tags: { Name: `${name}-no-healthy-appliance` },
        }, { parent: this });

        this.vpcId = vpc.id;
        this.cidrBlock = args.cidrBlock;
        this.applianceSubnets = appliances;
        this.publicSubnets = publicSubnets;
        this.endpointServiceName = endpointService.serviceName;
        this.endpointServiceId = endpointService.id;
        this.gatewayLoadBalancerArn = gwlb.arn;
        this.targetGroupArn = targetGroup.arn;
        this.autoScalingGroupName = fleet.autoScalingGroupName;
        this.alertsLogGroupName = fleet.alertsLogGroupName;
        this.noHealthyApplianceAlarmArn = alarm.arn;
        this.allowedPrincipals = principals;
        this.applianceSecurityGroupId = fleet.securityGroupId;
        this.applianceRoleName = fleet.instanceRoleName;
        this.natRoutes = natRoutes;
        this.registerOutputs({
            vpcId: this.vpcId,
            cidrBlock: this.cidrBlock,
            applianceSubnets: this.applianceSubnets,
            publicSubnets: this.publicSubnets,
            endpointServiceName: this.endpointServiceName,
            endpointServiceId: this.endpointServiceId,
            gatewayLoadBalancerArn: this.gatewayLoadBalancerArn,
            targetGroupArn: this.targetGroupArn,
            autoScalingGroupName: this.autoScalingGroupName,
            alertsLogGroupName: this.alertsLogGroupName,
            noHealthyApplianceAlarmArn: this.noHealthyApplianceAlarmArn,
            allowedPrincipals: this.allowedPrincipals,
            applianceSecurityGroupId: this.applianceSecurityGroupId,
            applianceRoleName: this.applianceRoleName,
            natRoutes: this.natRoutes,
        });
    }
}
