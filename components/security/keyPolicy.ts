import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "../aws/context";

/**
 * The statement every customer-managed key of the project starts with: the account administers the key through IAM.
 * Without it, IAM policies cannot grant use of the key and it becomes unmanageable.
 */
export function accountAdministersKey(ctx: Pick<AwsContext, "accountId" | "partition">) {
    return {
        Sid: "AccountAdministersKey",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}
