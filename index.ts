/**
 * inspected-api: config → components → stack outputs. Every value a component gets comes from the one validated
 * config object; loadConfig throws before any resource registers when the stack config is invalid.
 */
import { loadConfig } from "./components/config";
import { WorkloadVpc } from "./components/network/workloadVpc";
import { LogEncryptionKey } from "./components/security/logEncryptionKey";

const config = loadConfig();

const logKey = new LogEncryptionKey("logs");

const workload = new WorkloadVpc("workload", {
    cidrBlock: config.workloadVpcCidr,
    availabilityZoneCount: config.availabilityZoneCount,
    egress: config.workloadEgress,
    flowLogs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
});

export const availabilityZones = workload.availabilityZones;
export const workloadVpc = {
    vpcId: workload.vpcId,
    cidrBlock: workload.cidrBlock,
    serviceSubnets: workload.serviceSubnets,
    vpcLinkSubnets: workload.vpcLinkSubnets,
    endpointSubnets: workload.endpointSubnets,
    privateLinkSubnets: workload.privateLinkSubnets,
    publicSubnets: workload.publicSubnets,
};
export const logKmsKeyArn = logKey.arn;
