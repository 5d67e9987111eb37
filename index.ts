/**
 * inspected-api: config → components → stack outputs. Everything that can be wrong before deploying (the stack
 * config, and whether the region has the AZs it asks for) is checked before the first resource registers.
 */
import { loadConfig } from "./components/config";
import { lookupAvailabilityZones } from "./components/config/availabilityZones";
import { WorkloadVpc } from "./components/network/workloadVpc";
import { LogEncryptionKey } from "./components/security/logEncryptionKey";

export = async () => {
    const config = loadConfig();
    const zones = await lookupAvailabilityZones(config.availabilityZoneCount);

    const logKey = new LogEncryptionKey("logs");

    const workload = new WorkloadVpc("workload", {
        cidrBlock: config.workloadVpcCidr,
        availabilityZoneIds: zones.zoneIds,
        egress: config.workloadEgress,
        flowLogs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
    });

    return {
        availabilityZones: zones.names,
        availabilityZoneIds: zones.zoneIds,
        workloadVpc: {
            vpcId: workload.vpcId,
            cidrBlock: workload.cidrBlock,
            serviceSubnets: workload.serviceSubnets,
            vpcLinkSubnets: workload.vpcLinkSubnets,
            endpointSubnets: workload.endpointSubnets,
            privateLinkSubnets: workload.privateLinkSubnets,
            publicSubnets: workload.publicSubnets,
        },
        logKmsKeyArn: logKey.arn,
    };
};
