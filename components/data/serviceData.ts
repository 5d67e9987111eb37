import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { accountAdministersKey } from "../security/keyPolicy";
import { trustPolicy } from "../security/trustPolicy";
import { checkArgs, knownNow } from "../argRules";
import { TaggedArgs, tagChildren } from "../tags";

/** One service's table: its name in the catalog and the attribute that keys it. */
export interface TableSpec {
    /** Names the table's resources and its entry in `ServiceData.tables`. */
    readonly service: string;
    /** The string attribute that keys every item. */
    readonly hashKey: string;
}

/** Arguments of {@link ServiceData}. */
export interface ServiceDataArgs extends TaggedArgs {
    /** One table per service. */
    readonly tables: TableSpec[];
    /**
     * Deletion protection on the tables, and the tables, keys and vault retained when the stack is destroyed.
     * Default true.
     */
    readonly protectData?: boolean;
    /** Days AWS Backup keeps each recovery point. Default 30. */
    readonly backupRetentionDays?: number;
}

/** What a service's task may touch: its table and the key that encrypts it, nothing else. */
export interface ServiceTable {
    /** The table's name. */
    readonly tableName: pulumi.Output<string>;
    /** The table's ARN. */
    readonly tableArn: pulumi.Output<string>;
    /** The customer-managed key that encrypts the table. */
    readonly kmsKeyArn: pulumi.Output<string>;
}

/** Item actions a service uses; the endpoint policy allows only these, on only these tables. */
export const TABLE_DATA_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"] as const;

/**
 * Per service an on-demand DynamoDB table encrypted with a customer-managed key of its own (rotated), with
 * point-in-time recovery; and an AWS Backup vault, under its own key, with a plan that backs up every table every 12
 * hours and keeps each backup for 30 days.
 */
export class ServiceData extends pulumi.ComponentResource {
    /** Each table, by service name, with the key that encrypts it. */
    public readonly tables: Readonly<Record<string, ServiceTable>>;
    /** The backup vault, under a key of its own. */
    public readonly backupVaultName: pulumi.Output<string>;
    /** The backup plan: every 12 hours. */
    public readonly backupPlanId: pulumi.Output<string>;
    /** A VPC endpoint policy for DynamoDB that allows the services' item actions on these tables only. */
    public readonly endpointPolicy: pulumi.Output<string>;

    constructor(name: string, args: ServiceDataArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:data:ServiceData", name, {}, tagChildren(opts, args.tags));
        checkArgs(this, "ServiceData", name, [["tables", knownNow(args.tables)]]);
        const ctx = awsContext(this);
        const protectData = args.protectData ?? true;
        const keep = { parent: this, retainOnDelete: protectData };
        const key = (role: string, description: string) => new aws.kms.Key(`${name}-${role}-key`, {
            description,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [accountAdministersKey(ctx)] }),
            tags: { Name: `${name}-${role}-key` },
        }, keep);

        const tables: Record<string, ServiceTable> = {};
        for (const spec of args.tables) {
            const tableKey = key(spec.service, `${name}: ${spec.service} table`);
            const table = new aws.dynamodb.Table(`${name}-${spec.service}`, {
                billingMode: "PAY_PER_REQUEST",
                hashKey: spec.hashKey,
                attributes: [{ name: spec.hashKey, type: "S" }],
                serverSideEncryption: { enabled: true, kmsKeyArn: tableKey.arn },
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: protectData,
                tags: { service: spec.service },
            }, keep);
            tables[spec.service] = { tableName: table.name, tableArn: table.arn, kmsKeyArn: tableKey.arn };
        }

        const vaultKey = key("backup", `${name}: backup vault`);
        // Unprotected stacks must be destroyable: AWS refuses to delete a vault that still holds recovery points.
        const vault = new aws.backup.Vault(`${name}-vault`, { kmsKeyArn: vaultKey.arn, forceDestroy: !protectData, tags: { Name: `${name}-vault` } }, keep);
        const plan = new aws.backup.Plan(`${name}-plan`, {
            rules: [{
                ruleName: "every-12-hours",
                targetVaultName: vault.name,
                schedule: "cron(0 0/12 * * ? *)",
                lifecycle: { deleteAfter: args.backupRetentionDays ?? 30 },
            }],
            tags: { Name: `${name}-plan` },
        }, { parent: this });
        const role = new aws.iam.Role(`${name}-backup-role`, {
            assumeRolePolicy: trustPolicy("backup.amazonaws.com"),
            tags: { Name: `${name}-backup-role` },
        }, { parent: this });
        for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
            new aws.iam.RolePolicyAttachment(`${name}-backup-${policy.endsWith("Restores") ? "restores" : "backup"}`, {
                role: role.name,
                policyArn: pulumi.interpolate`arn:${ctx.partition}:iam::aws:policy/service-role/${policy}`,
            }, { parent: this });
        }
        new aws.backup.Selection(`${name}-selection`, {
            name: `${name}-tables`,
            planId: plan.id,
            iamRoleArn: role.arn,
            resources: Object.values(tables).map(t => t.tableArn),
        }, { parent: this });

        this.tables = tables;
        this.backupVaultName = vault.name;
        this.backupPlanId = plan.id;
        this.endpointPolicy = pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{
                Sid: "ServiceTablesOnly",
                Effect: "Allow",
                Principal: "*",
                Action: [...TABLE_DATA_ACTIONS, "dynamodb:DescribeTable"],
                Resource: Object.values(tables).map(t => t.tableArn),
            }],
        });
        this.registerOutputs({ tables: this.tables, backupVaultName: this.backupVaultName, backupPlanId: this.backupPlanId });
    }
}
