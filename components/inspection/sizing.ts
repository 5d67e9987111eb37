/** GENEVE's UDP port: what a Gateway Load Balancer sends its targets, and the only data port it uses. */
export const GENEVE_PORT = 6081;

/** Interface endpoints the appliance subnets hold when appliances have no internet path: SSM management, logs. */
export const APPLIANCE_INTERFACE_ENDPOINTS = ["ssm", "ssmmessages", "ec2messages", "logs"] as const;

/** How appliances reach package mirrors, rule feeds and AWS APIs; the first is the default. */
export const APPLIANCE_EGRESS = ["nat", "endpoints"] as const;
export type ApplianceEgress = (typeof APPLIANCE_EGRESS)[number];

/** How the GWLB may check an appliance's health. */
export const HEALTH_CHECK_PROTOCOLS = ["HTTP", "HTTPS", "TCP"] as const;
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];

/**
 * Addresses one AZ's appliance subnet must hold: every appliance twice (an instance refresh launches each
 * replacement before its predecessor leaves), the GWLB's ENI, and the interface endpoints' ENIs.
 */
export function applianceSubnetDemand(maxPerAz: number, egress: string): number {
    return 2 * maxPerAz + 1 + (egress === "endpoints" ? APPLIANCE_INTERFACE_ENDPOINTS.length : 0);
}
