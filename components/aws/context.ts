import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a component is deployed: account, region and partition, resolved through the component's provider. */
export interface AwsContext {
    readonly accountId: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    readonly partition: pulumi.Output<string>;
    /** `com.amazonaws` in most partitions, `cn.com.amazonaws` in China: the prefix of VPC endpoint service names. */
    readonly reverseDnsPrefix: pulumi.Output<string>;
}

/**
 * Looks the context up with `parent` as the invoke's parent, so a component given an explicit provider (another
 * account or region) asks that provider rather than the default one.
 */
export function awsContext(parent: pulumi.Resource): AwsContext {
    const opts = { parent };
    const partition = aws.getPartitionOutput({}, opts);
    return {
        accountId: aws.getCallerIdentityOutput({}, opts).accountId,
        region: aws.getRegionOutput({}, opts).region,
        partition: partition.partition,
        reverseDnsPrefix: partition.reverseDnsPrefix,
    };
}
