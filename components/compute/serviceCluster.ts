import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The ECS cluster the services run in, with Container Insights for per-task CPU, memory and network metrics. */
export class ServiceCluster extends pulumi.ComponentResource {
    public readonly clusterArn: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:compute:ServiceCluster", name, {}, opts);
        const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            settings: [{ name: "containerInsights", value: "enabled" }],
        }, { parent: this });
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.registerOutputs({ clusterArn: this.clusterArn, clusterName: this.clusterName });
    }
}
