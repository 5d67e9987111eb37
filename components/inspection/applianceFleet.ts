import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { SubnetTier } from "../network/vpcBuilders";
import { accountAdministersKey } from "../security/keyPolicy";
import { EncryptedLogArgs } from "../security/logEncryptionKey";
import { trustPolicy } from "../security/trustPolicy";
import { checkArgs, knownNow } from "../argRules";
import { applianceImage } from "./appliance/image";
import { applianceRules } from "./applianceRules";
import { suricataUserData } from "./appliance/userData";
import { GENEVE_PORT } from "./sizing";
import { TaggedArgs, tagChildren } from "../tags";

/** How the target group checks an appliance; the default appliance answers HTTP only while its IPS is in the path. */
export interface ApplianceHealthCheck {
    /** `HTTP`, `HTTPS` or `TCP`; the default appliance answers HTTP. */
    readonly protocol: string;
    /** Not 6081, where GENEVE data arrives. */
    readonly port: number;
    /** HTTP(S) only. */
    readonly path: string;
}

/** Arguments of {@link ApplianceFleet}. */
export interface ApplianceFleetArgs extends TaggedArgs {
    /** The security VPC. */
    readonly vpcId: pulumi.Input<string>;
    /** The security VPC's CIDR: where HTTPS may go when appliances have no internet path. */
    readonly vpcCidrBlock: string;
    /** The appliance subnets: instances, and the GWLB ENIs that send GENEVE and health checks from them. */
    readonly subnets: SubnetTier;
    /** `nat`: updates from the internet through NAT. `endpoints`: no internet path, AWS APIs through endpoints. */
    readonly egress: string;
    /** EC2 instance type, e.g. c6in.large. */
    readonly instanceType: string;
    /** Auto Scaling group bounds for the whole fleet. */
    readonly minSize: number;
    /** The most appliances the group scales out to. */
    readonly maxSize: number;
    /**
     * A vendor image that speaks GENEVE; whether it is set must be known at plan time, its id may come from a lookup.
     * Default: the Suricata IPS on the current Debian stable (13).
     */
    readonly amiId?: pulumi.Input<string>;
    /** Boot script of a vendor image; only with `amiId`. Default: none (the default appliance renders its own). */
    readonly userData?: string;
    /** How the target group checks an appliance. */
    readonly healthCheck: ApplianceHealthCheck;
    /** The GWLB's GENEVE target group the group registers its instances in. */
    readonly targetGroupArn: pulumi.Input<string>;
    /** `gwy/<name>/<id>`: the default appliance finds the GWLB's ENIs by it. */
    readonly gatewayLoadBalancerArnSuffix: pulumi.Input<string>;
    /** Retention and key of the alerts log group. */
    readonly logs: EncryptedLogArgs;
    /** Average CPU the fleet scales to hold. Default 60. */
    readonly cpuTargetPercent?: pulumi.Input<number>;
    /** The networks the default IPS protects (Suricata's HOME_NET). */
    readonly homeNet: string[];
    /** Ports the protected services speak HTTP on (Suricata's HTTP_PORTS). */
    readonly httpPorts: number[];
    /** Notified when an appliance's rule refresh fails, and when a day has passed without a failure. Default: no action. */
    readonly alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Description of the launch template. AWS makes a new template version when it changes, and the group then
     * replaces every appliance. Default `<fleet name>: Suricata IPS` (`: vendor appliance` with `amiId`).
     */
    readonly launchTemplateDescription?: string;
    /** CloudWatch namespace of the rule-refresh failure metric; the alerts log group's name is appended. Default `Suricata`. */
    readonly metricNamespace?: string;
}

/** Seconds a new appliance gets to install, fetch rules and start Suricata before failed health checks count. */
const BOOT_GRACE_SECONDS = 900;

/**
 * The inspection appliances: an Auto Scaling group behind the GWLB's target group, launched from a template with
 * IMDSv2 only, an encrypted root volume under a key of its own, no key pair (management through SSM), no public IP,
 * and a security group that speaks GENEVE and health checks with the appliance subnets only.
 */
export class ApplianceFleet extends pulumi.ComponentResource {
    /** The Auto Scaling group's name. */
    public readonly autoScalingGroupName: pulumi.Output<string>;
    /** The launch template's id. */
    public readonly launchTemplateId: pulumi.Output<string>;
    /** The appliances' security group: GENEVE and health checks from the appliance subnets only. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Extend it for a vendor image that needs more than SSM. */
    public readonly instanceRoleName: pulumi.Output<string>;
    /** Suricata alerts, one stream per instance; absent for a vendor image. */
    public readonly alertsLogGroupName?: pulumi.Output<string>;
    /** In alarm from an appliance's failed rule refresh until 26 hours pass without one; absent for a vendor image. */
    public readonly rulesUpdateAlarmArn?: pulumi.Output<string>;

    constructor(name: string, args: ApplianceFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:inspection:ApplianceFleet", name, {}, tagChildren(opts, args.tags));
        checkArgs(this, "ApplianceFleet", name, [
            ["subnets", knownNow(args.subnets) ?? knownNow(args.subnets.cidrBlocks)],
            ["homeNet", knownNow(args.homeNet)],
            ["httpPorts", knownNow(args.httpPorts)],
            ["egress", applianceRules.egress(args.egress)],
            ["healthCheck.protocol", applianceRules.healthProtocol(args.healthCheck.protocol)],
            ["minSize", applianceRules.minWithinMax(args.minSize, args.maxSize, "maxSize")],
            ["healthCheck.port", applianceRules.healthPortNotGeneve(args.healthCheck.port)],
            ["healthCheck.protocol", applianceRules.httpHealthForDefault(args.healthCheck.protocol, args.amiId, "amiId")],
            ["userData", applianceRules.userDataOnlyWithAmi(args.userData, args.amiId, "amiId")],
            ["egress", applianceRules.natForDefault(args.egress, args.amiId, "amiId")],
        ]);
        const ctx = awsContext(this);
        const byo = args.amiId !== undefined;

        const alerts = byo ? undefined : new aws.cloudwatch.LogGroup(`${name}-alerts`, {
            retentionInDays: args.logs.retentionInDays,
            kmsKeyId: args.logs.kmsKeyArn,
            tags: { Name: `${name}-alerts` },
        }, { parent: this });

        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: trustPolicy(pulumi.interpolate`ec2.${ctx.dnsSuffix}`),
            tags: { Name: `${name}-role` },
        }, { parent: this });
        new aws.iam.RolePolicyAttachment(`${name}-ssm`, {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${ctx.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
        }, { parent: this });
        if (alerts) {
            new aws.iam.RolePolicy(`${name}-boot`, { role: role.id, policy: bootPolicy(alerts.arn, ctx.region) }, { parent: this });
        }
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags: { Name: `${name}-profile` } }, { parent: this });

        const sg = this.securityGroup(name, args, byo);

        // Auto Scaling launches with its service-linked role, which needs the key: a role of this fleet's own
        // (a custom suffix), so the key policy names exactly it rather than the account-wide default role.
        const suffix = `${name.slice(0, 24)}-${crypto.createHash("sha256").update(`${pulumi.getProject()}/${pulumi.getStack()}/${name}`).digest("hex").slice(0, 8)}`;
        const autoScalingRole = new aws.iam.ServiceLinkedRole(`${name}-autoscaling-role`, {
            awsServiceName: "autoscaling.amazonaws.com",
            customSuffix: suffix,
            description: `Launches the ${name} appliances with their encrypted volumes`,
            tags: { Name: `${name}-autoscaling-role` },
        }, { parent: this });
        const volumeKey = new aws.kms.Key(`${name}-volume-key`, {
            description: `${name}: appliance volumes`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    accountAdministersKey(ctx),
                    {
                        Sid: "AutoScalingUsesKeyForApplianceVolumes",
                        Effect: "Allow",
                        Principal: { AWS: autoScalingRole.arn },
                        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        Resource: "*",
                    },
                    {
                        Sid: "AutoScalingGrantsKeyToEbsOnly",
                        Effect: "Allow",
                        Principal: { AWS: autoScalingRole.arn },
                        Action: "kms:CreateGrant",
                        Resource: "*",
                        Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
                    },
                ],
            }),
            tags: { Name: `${name}-volume-key` },
        }, { parent: this });

        const image = applianceImage(this, args.instanceType, args.amiId);
        // Base64, as the launch template takes it: the default appliance's gzipped script, or a vendor's text.
        const userData = alerts
            ? pulumi.all([args.gatewayLoadBalancerArnSuffix, alerts.name]).apply(([gwlbArnSuffix, group]) => suricataUserData({
                genevePort: GENEVE_PORT,
                healthPort: args.healthCheck.port,
                healthPath: args.healthCheck.path,
                gwlbEniDescription: `ELB ${gwlbArnSuffix}`,
                alertsLogGroup: group,
                homeNet: args.homeNet,
                httpPorts: args.httpPorts,
            }).toString("base64"))
            : args.userData === undefined ? undefined : Buffer.from(args.userData, "utf8").toString("base64");
        const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-lt`, {
            description: args.launchTemplateDescription ?? `${name}: ${byo ? "vendor appliance" : "Suricata IPS"}`,
            imageId: image.imageId,
            instanceType: args.instanceType,
            userData,
            iamInstanceProfile: { arn: profile.arn },
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
            networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [sg.id] }],
            blockDeviceMappings: [{
                deviceName: image.rootDeviceName,
                ebs: {
                    volumeType: "gp3",
                    // Room for rules and rotated eve.json; a vendor image keeps the size its snapshot needs.
                    volumeSize: byo ? undefined : 16,
                    encrypted: "true",
                    kmsKeyId: volumeKey.arn,
                    deleteOnTermination: "true",
                },
            }],
            updateDefaultVersion: true,
            tagSpecifications: ["instance", "volume", "network-interface"].map(resourceType => ({ resourceType, tags: { Name: name } })),
            tags: { Name: `${name}-lt` },
        }, { parent: this });

        const group = new aws.autoscaling.Group(`${name}-asg`, {
            vpcZoneIdentifiers: args.subnets.subnetIds,
            minSize: args.minSize,
            maxSize: args.maxSize,
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            targetGroupArns: [args.targetGroupArn],
            healthCheckType: "ELB",
            healthCheckGracePeriod: BOOT_GRACE_SECONDS,
            defaultInstanceWarmup: BOOT_GRACE_SECONDS,
            serviceLinkedRoleArn: autoScalingRole.arn,
            // A new launch template version replaces appliances one at a time, each successor healthy first.
            instanceRefresh: {
                strategy: "Rolling",
                preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, skipMatching: true },
            },
            enabledMetrics: ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupTotalInstances"],
            tags: [{ key: "Name", value: name, propagateAtLaunch: true }],
        }, { parent: this, dependsOn: [volumeKey] });
        new aws.autoscaling.Policy(`${name}-cpu`, {
            autoscalingGroupName: group.name,
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                targetValue: args.cpuTargetPercent ?? 60,
            },
        }, { parent: this });

        this.autoScalingGroupName = group.name;
        this.launchTemplateId = launchTemplate.id;
        this.securityGroupId = sg.id;
        this.instanceRoleName = role.name;
        this.alertsLogGroupName = alerts?.name;
        this.rulesUpdateAlarmArn = alerts && this.rulesUpdateAlarm(name, alerts, args.alarmActions, args.metricNamespace ?? "Suricata").arn;
        this.registerOutputs({
            autoScalingGroupName: this.autoScalingGroupName,
            launchTemplateId: this.launchTemplateId,
            securityGroupId: this.securityGroupId,
            instanceRoleName: this.instanceRoleName,
            alertsLogGroupName: this.alertsLogGroupName,
            rulesUpdateAlarmArn: this.rulesUpdateAlarmArn,
        });
    }

    /**
     * suricata-update keeps the previous rules when a source cannot be fetched, so an appliance goes on inspecting
     * with rules that age: the boot script logs a `rules_update_failed` event to the alerts group, counted here.
     * Refreshes run daily (up to 25 h apart, with the timer's random delay), so the alarm looks back 26 hours: an
     * appliance that fails every day keeps it in alarm rather than letting it clear an hour after each failure.
     */
    private rulesUpdateAlarm(name: string, alerts: aws.cloudwatch.LogGroup, alarmActions: ApplianceFleetArgs["alarmActions"], metricNamespace: string): aws.cloudwatch.MetricAlarm {
        // The group's generated name keeps each stack's metric apart from another's in the same account.
        const namespace = pulumi.interpolate`${metricNamespace}/${alerts.name}`;
        const metricName = "RulesUpdateFailures";
        new aws.cloudwatch.LogMetricFilter(`${name}-rules-update-failed`, {
            logGroupName: alerts.name,
            pattern: "{ $.event_type = \"rules_update_failed\" }",
            metricTransformation: { namespace, name: metricName, value: "1", unit: "Count" },
        }, { parent: this });
        return new aws.cloudwatch.MetricAlarm(`${name}-rules-update-failing`, {
            alarmDescription: "An inspection appliance cannot refresh its IPS rules: it inspects with the rules it last fetched",
            namespace,
            metricName,
            statistic: "Sum",
            period: 3600,
            evaluationPeriods: 26,
            datapointsToAlarm: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions,
            okActions: alarmActions,
            tags: { Name: `${name}-rules-update-failing` },
        }, { parent: this });
    }

    /**
     * In: GENEVE and health checks from the appliance subnets (where the GWLB's ENIs live). Out: GENEVE back to them,
     * and updates: HTTPS, plus HTTP for Debian's apt mirrors (signed indexes) when the default appliance uses NAT.
     */
    private securityGroup(name: string, args: ApplianceFleetArgs, byo: boolean): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: "Inspection appliances: GENEVE and health checks from the GWLB only",
            tags: { Name: name },
        }, { parent: this });
        const rule = (kind: "in" | "out", role: string, ipProtocol: string, port: number, cidrIpv4: string, description: string) => {
            const ruleArgs = { securityGroupId: sg.id, ipProtocol, fromPort: port, toPort: port, cidrIpv4, description, tags: { Name: `${name}-${role}` } };
            return kind === "in"
                ? new aws.vpc.SecurityGroupIngressRule(`${name}-${role}`, ruleArgs, { parent: this })
                : new aws.vpc.SecurityGroupEgressRule(`${name}-${role}`, ruleArgs, { parent: this });
        };
        args.subnets.cidrBlocks.forEach((cidr, az) => {
            rule("in", `geneve-in-${az}`, "udp", GENEVE_PORT, cidr, `GENEVE from the GWLB in appliance subnet ${az}`);
            rule("in", `health-in-${az}`, "tcp", args.healthCheck.port, cidr, `Health checks from the GWLB in appliance subnet ${az}`);
            rule("out", `geneve-out-${az}`, "udp", GENEVE_PORT, cidr, `GENEVE back to the GWLB in appliance subnet ${az}`);
        });
        const internet = args.egress === "nat";
        rule("out", "https-out", "tcp", 443, internet ? "0.0.0.0/0" : args.vpcCidrBlock,
            internet ? "HTTPS: rule feeds, AWS APIs, packages" : "HTTPS to the VPC's interface endpoints");
        if (internet && !byo) {
            rule("out", "http-out", "tcp", 80, "0.0.0.0/0", "Debian apt mirrors (HTTP; indexes are signed)");
        }
        return sg;
    }
}

/** What the default appliance's boot scripts call: list ENIs (to find the GWLB's) and write its own alerts group. */
function bootPolicy(alertsGroupArn: pulumi.Output<string>, region: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                // Describe calls cannot name a resource; the region condition is the narrowest scope EC2 offers.
                Sid: "FindGatewayLoadBalancerEnis",
                Effect: "Allow",
                Action: "ec2:DescribeNetworkInterfaces",
                Resource: "*",
                Condition: { StringEquals: { "aws:RequestedRegion": region } },
            },
            {
                Sid: "ShipAlertsToOwnGroup",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [alertsGroupArn, pulumi.interpolate`${alertsGroupArn}:*`],
            },
        ],
    });
}
