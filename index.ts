/**
 * The package root: every component with its args types. The stack program is `stack.ts` (Pulumi.yaml `main`);
 * nothing here registers a resource when imported.
 */
export { HttpApi, HttpApiArgs, ApiBackend, ApiRoute, ApiThrottle, JwtAuthorizer } from "./components/api/httpApi";
export { ServiceDiscovery, ServiceDiscoveryArgs, DiscoveredService } from "./components/api/serviceDiscovery";
export { ApiUserPool, ApiUserPoolArgs } from "./components/auth/userPool";
export { FargateService, FargateServiceArgs, ImageBuild, TableAccess } from "./components/compute/fargateService";
export { ServiceCluster, ServiceClusterArgs } from "./components/compute/serviceCluster";
export { ServiceData, ServiceDataArgs, TableSpec, ServiceTable } from "./components/data/serviceData";
export { ApplianceFleet, ApplianceFleetArgs, ApplianceHealthCheck } from "./components/inspection/applianceFleet";
export { InspectedRouting, InspectedRoutingArgs } from "./components/inspection/inspectedRouting";
export { InspectionVpc, InspectionVpcArgs, ApplianceSpec } from "./components/inspection/inspectionVpc";
export { VpcFlowLogs, VpcFlowLogsArgs } from "./components/network/vpcFlowLogs";
export { WorkloadVpc, WorkloadVpcArgs } from "./components/network/workloadVpc";
export { SubnetTier } from "./components/network/vpcBuilders";
export { Tags, TaggedArgs } from "./components/tags";
export { LogEncryptionKey, LogEncryptionKeyArgs, EncryptedLogArgs } from "./components/security/logEncryptionKey";
