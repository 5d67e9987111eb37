import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a component is deployed: account, region and partition, resolved through the component's provider. */
export interface AwsContext {
    readonly accountId: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    readonly partition: pulumi.Output<string>;
    /** `amazonaws.com`, or `amazonaws.com.cn` in China: the suffix of service principals and endpoints. */
    readonly dnsSuffix: pulumi.Output<string>;
}

/**
 * Looks the context up with `parent` as the invoke's parent, so a component given an explicit provider (another
 * account or region) asks that provider rather than the default one. Each lookup runs on first use only.
 */
export function awsContext(parent: pulumi.Resource): AwsContext {
    const opts = { parent };
    let identity: pulumi.Output<aws.GetCallerIdentityResult> | undefined;
    let region: pulumi.Output<aws.GetRegionResult> | undefined;
    let partition: pulumi.Output<aws.GetPartitionResult> | undefined;
    return {
        get accountId() {
            return (identity ??= aws.getCallerIdentityOutput({}, opts)).accountId;
        },
        get region() {
            return (region ??= aws.getRegionOutput({}, opts)).region;
        },
        get partition() {
            return (partition ??= aws.getPartitionOutput({}, opts)).partition;
        },
        get dnsSuffix() {
            return (partition ??= aws.getPartitionOutput({}, opts)).dnsSuffix;
        },
    };
}
