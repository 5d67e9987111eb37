import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { accountAdministersKey } from "./keyPolicy";
import { TaggedArgs, tagChildren } from "../tags";

/** How every log group of the project is kept: for a while, and encrypted with a customer-managed key. */
export interface EncryptedLogArgs {
    /** Days the log group keeps events: one of CloudWatch's allowed values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …). */
    readonly retentionInDays: pulumi.Input<number>;
    /** ARN of a customer-managed key CloudWatch Logs may use, e.g. {@link LogEncryptionKey.arn}. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/** Arguments of {@link LogEncryptionKey}. */
export interface LogEncryptionKeyArgs extends TaggedArgs {
    /** Days KMS waits before deleting the key once it is scheduled for deletion (7–30). Default 30. */
    readonly deletionWindowInDays?: pulumi.Input<number>;
}

/**
 * A customer-managed KMS key, rotated yearly, that CloudWatch Logs may use for this account's log groups in this
 * region and nothing else. One key serves every log group of the stack: a key costs a monthly fee, and the
 * encryption context condition already keeps it to log data.
 */
export class LogEncryptionKey extends pulumi.ComponentResource {
    /** The key's ARN, for `kmsKeyId` of a log group. */
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: LogEncryptionKeyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:security:LogEncryptionKey", name, {}, tagChildren(opts, args.tags));
        const { accountId, region, partition, dnsSuffix } = awsContext(this);

        const key = new aws.kms.Key(`${name}-key`, {
            description: `${name}: CloudWatch Logs encryption`,
            enableKeyRotation: true,
            deletionWindowInDays: args.deletionWindowInDays ?? 30,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    accountAdministersKey({ accountId, partition }),
                    {
                        Sid: "CloudWatchLogsUsesKeyForThisAccountsLogGroups",
                        Effect: "Allow",
                        Principal: { Service: pulumi.interpolate`logs.${region}.${dnsSuffix}` },
                        Action: [
                            "kms:Encrypt",
                            "kms:Decrypt",
                            "kms:ReEncryptFrom",
                            "kms:ReEncryptTo",
                            "kms:GenerateDataKey",
                            "kms:GenerateDataKeyWithoutPlaintext",
                            "kms:DescribeKey",
                        ],
                        Resource: "*",
                        Condition: {
                            ArnLike: {
                                "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*`,
                            },
                        },
                    },
                ],
            }),
            tags: { Name: name },
        }, { parent: this });
        new aws.kms.Alias(`${name}-alias`, { namePrefix: `alias/${name}-`, targetKeyId: key.keyId }, { parent: this });

        this.arn = key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
