import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TaggedArgs, tagChildren } from "../tags";

/** Arguments of {@link ServiceCluster}. */
export interface ServiceClusterArgs extends TaggedArgs {
    /** Container Insights: per-task CPU, memory and network metrics, at CloudWatch's custom-metric price. Default true. */
    readonly containerInsights?: boolean;
}

/** The ECS cluster the services run in, with Container Insights for per-task CPU, memory and network metrics. */
export class ServiceCluster extends pulumi.ComponentResource {
    /** The cluster's ARN. */
    public readonly clusterArn: pulumi.Output<string>;
    /** The cluster's name. */
    public readonly clusterName: pulumi.Output<string>;

    constructor(name: string, args: ServiceClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:compute:ServiceCluster", name, {}, tagChildren(opts, args.tags));
        const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            settings: [{ name: "containerInsights", value: args.containerInsights === false ? "disabled" : "enabled" }],
            tags: { Name: name },
        }, { parent: this });
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.registerOutputs({ clusterArn: this.clusterArn, clusterName: this.clusterName });
    }
}
