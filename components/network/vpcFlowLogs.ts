import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { trustPolicy } from "../security/trustPolicy";
import { TaggedArgs, tagChildren } from "../tags";

/** Arguments of {@link VpcFlowLogs}. */
export interface VpcFlowLogsArgs extends TaggedArgs {
    /** The VPC whose traffic is recorded. */
    readonly vpcId: pulumi.Input<string>;
    /** Days the records are kept; one of CloudWatch's allowed values. */
    readonly retentionInDays: pulumi.Input<number>;
    /** Customer-managed key that encrypts the log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * Flow logs of every packet decision (ACCEPT and REJECT) of one VPC into an encrypted CloudWatch log group, written
 * by a role that only the flow-logs service of this account can assume and that may only write to that group.
 */
export class VpcFlowLogs extends pulumi.ComponentResource {
    /** The encrypted log group the records go to. */
    public readonly logGroupName: pulumi.Output<string>;
    /** Its ARN. */
    public readonly logGroupArn: pulumi.Output<string>;

    constructor(name: string, args: VpcFlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:network:VpcFlowLogs", name, {}, tagChildren(opts, args.tags));
        const { accountId, region, partition } = awsContext(this);

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            retentionInDays: args.retentionInDays,
            kmsKeyId: args.kmsKeyArn,
            tags: { Name: name },
        }, { parent: this });

        const role = new aws.iam.Role(`${name}-role`, {
            // Confused-deputy guard: only flow logs of this account may assume the role.
            assumeRolePolicy: trustPolicy("vpc-flow-logs.amazonaws.com", {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
            }),
            tags: { Name: name },
        }, { parent: this });
        const writePolicy = new aws.iam.RolePolicy(`${name}-write`, {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "WriteOwnGroup",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                    },
                    {
                        // The delivery service lists groups before writing. DescribeLogGroups cannot name one group,
                        // so it is limited to this account and region.
                        Sid: "FindOwnGroup",
                        Effect: "Allow",
                        Action: "logs:DescribeLogGroups",
                        Resource: pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*`,
                    },
                ],
            }),
        }, { parent: this });

        new aws.ec2.FlowLog(`${name}-flow-log`, {
            vpcId: args.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 60,
            tags: { Name: name },
        }, { parent: this, dependsOn: [writePolicy] });

        this.logGroupName = logGroup.name;
        this.logGroupArn = logGroup.arn;
        this.registerOutputs({ logGroupName: this.logGroupName, logGroupArn: this.logGroupArn });
    }
}
