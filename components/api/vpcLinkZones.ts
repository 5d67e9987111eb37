/**
 * The AZs where API Gateway can place a VPC link (V2), by zone ID: "Set up VPC links V2 in API Gateway", section
 * "Availability by Region" (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-vpc-links-v2.html),
 * read 2026-11-21. A VPC link given a subnet in another AZ fails to create. Regions the page does not list are
 * treated as unrestricted: the page lists where AWS restricts, and an API without VPC links there fails loudly anyway.
 */
const VPC_LINK_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
    "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
    "us-east-1": ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"],
    "us-west-1": ["usw1-az1", "usw1-az3"],
    "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
    "ap-east-1": ["ape1-az2", "ape1-az3"],
    "ap-south-1": ["aps1-az1", "aps1-az2", "aps1-az3"],
    "ap-northeast-2": ["apne2-az1", "apne2-az2", "apne2-az3"],
    "ap-southeast-1": ["apse1-az1", "apse1-az2", "apse1-az3"],
    "ap-southeast-2": ["apse2-az1", "apse2-az2", "apse2-az3"],
    "ap-northeast-1": ["apne1-az1", "apne1-az2", "apne1-az4"],
    "ca-central-1": ["cac1-az1", "cac1-az2"],
    "eu-central-1": ["euc1-az1", "euc1-az2", "euc1-az3"],
    "eu-west-1": ["euw1-az1", "euw1-az2", "euw1-az3"],
    "eu-west-2": ["euw2-az1", "euw2-az2", "euw2-az3"],
    "eu-west-3": ["euw3-az1", "euw3-az3"],
    "eu-south-2": ["eus2-az1", "eus2-az2", "eus2-az3"],
    "eu-north-1": ["eun1-az1", "eun1-az2", "eun1-az3"],
    "me-south-1": ["mes1-az1", "mes1-az2", "mes1-az3"],
    "sa-east-1": ["sae1-az1", "sae1-az2", "sae1-az3"],
    "us-gov-west-1": ["usgw1-az1", "usgw1-az2", "usgw1-az3"],
};

/** Whether API Gateway can put a VPC link ENI in this AZ of this region. */
export function supportsVpcLink(region: string, zoneId: string): boolean {
    const listed = VPC_LINK_ZONE_IDS[region];
    return listed === undefined || listed.includes(zoneId);
}
