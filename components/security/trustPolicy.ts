import * as pulumi from "@pulumi/pulumi";

/**
 * The assume-role policy of a role that one AWS service assumes, optionally only under `condition` (e.g. a
 * confused-deputy guard on the source account).
 */
export function trustPolicy(servicePrincipal: pulumi.Input<string>, condition?: Record<string, unknown>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: servicePrincipal }, Action: "sts:AssumeRole", Condition: condition }],
    });
}
