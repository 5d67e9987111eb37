/**
 * The inspection service of a stack: built here for `stackRole` all and inspection, or found, for a workload, in the
 * inspection stack (a stack reference) or in a service someone else runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./components/config";
import { AvailabilityZones } from "./components/config/availabilityZones";
import { InspectionVpc } from "./components/inspection/inspectionVpc";
import { LogEncryptionKey } from "./components/security/logEncryptionKey";

/** The security VPC, GWLB, fleet and endpoint service, as the config describes them. */
export function sharedInspection(config: StackConfig, zones: AvailabilityZones, logKey: LogEncryptionKey): InspectionVpc {
    return new InspectionVpc("inspection", {
        cidrBlock: config.securityVpcCidr,
        availabilityZoneIds: [...zones.zoneIds],
        egress: config.applianceEgress,
        appliance: {
            instanceType: config.applianceInstanceType,
            minPerAz: config.appliancesPerAz,
            maxPerAz: config.applianceMaxPerAz,
            amiId: config.applianceAmiId,
            userData: config.applianceUserData,
            healthCheck: {
                protocol: config.applianceHealthProtocol,
                port: config.applianceHealthPort,
                path: config.applianceHealthPath,
            },
            // A shared service protects every consumer: Suricata's own default, the private ranges.
            homeNetCidrs: config.stackRole === "all" ? [config.workloadVpcCidr] : undefined,
            httpPorts: [config.servicePort],
            // What deployed stacks have: a new description would roll every appliance, a new namespace a new metric.
            launchTemplateDescription: `inspected-api inspection-appliances: ${config.applianceAmiId === undefined ? "Suricata IPS" : "vendor appliance"}`,
            metricNamespace: "inspected-api",
        },
        logs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
        alarmActions: config.alarmTopicArn === undefined ? undefined : [config.alarmTopicArn],
        allowedPrincipals: [...config.consumerPrincipals],
    });
}

/** A workload's endpoint service: the inspection stack's output, or the name it was given. */
export function inspectionServiceOf(config: StackConfig): pulumi.Input<string> {
    if (config.inspectionStack !== undefined) {
        return new pulumi.StackReference(config.inspectionStack).requireOutput("endpointServiceName") as pulumi.Output<string>;
    }
    // The config contract makes a workload set exactly one of the two.
    return config.inspectionEndpointServiceName!;
}

/** What consumers of the shared service need, and what the plan across stacks checks them against. */
export function inspectionOutputs(inspection: InspectionVpc, zones: AvailabilityZones, logKey: LogEncryptionKey) {
    return {
        endpointServiceName: inspection.endpointServiceName,
        endpointServiceId: inspection.endpointServiceId,
        allowedPrincipals: inspection.allowedPrincipals,
        gatewayLoadBalancerArn: inspection.gatewayLoadBalancerArn,
        noHealthyApplianceAlarmArn: inspection.noHealthyApplianceAlarmArn,
        // A GWLB endpoint works only in an AZ the load balancer has a node in: consumers build in these zone IDs.
        availabilityZoneIds: zones.zoneIds,
        securityVpcCidr: inspection.cidrBlock,
        alertsLogGroupName: inspection.alertsLogGroupName,
        logKmsKeyArn: logKey.arn,
    };
}
