import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * A client for a local DynamoDB-API server (dynalite in tests and the bench) and a table like the deployed one:
 * on-demand, one string hash key. Never used in AWS, where the stack creates the tables.
 */
export function localClient(endpoint: string): DynamoDBClient {
    return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}

export async function createLocalTable(client: DynamoDBClient, tableName: string, idKey: string): Promise<void> {
    await client.send(new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: idKey, AttributeType: "S" }],
        KeySchema: [{ AttributeName: idKey, KeyType: "HASH" }],
    }));
}
