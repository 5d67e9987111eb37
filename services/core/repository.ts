import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";

/** A stored item: its fields, plus the id, the version that makes its ETag, and who wrote it when. */
export type Item = Record<string, unknown> & { version: number; updatedBy: string; updatedAt: string };

/** A conditional write lost: the item's version is not the one the caller expected. */
export class VersionConflict extends Error {
    constructor(readonly current: number | undefined) {
        super(current === undefined ? "the item does not exist" : `the item is at version ${current}`);
        this.name = "VersionConflict";
    }
}

/** What a write requires of the stored item. */
export type Precondition = { readonly version: number } | "exists" | "absent";

export interface Page {
    readonly items: Item[];
    /** The id to continue after, or undefined on the last page. */
    readonly lastId?: string;
}

/** How many times an unconditional write retries when another writer got in between its read and its write. */
const UNCONDITIONAL_ATTEMPTS = 5;

/** One table, keyed by one string attribute. Every write is conditional on the version it read. */
export class Repository {
    private readonly doc: DynamoDBDocumentClient;

    constructor(client: DynamoDBClient, private readonly tableName: string, private readonly idKey: string) {
        this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    }

    async get(id: string): Promise<Item | undefined> {
        const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { [this.idKey]: id }, ConsistentRead: true }));
        return out.Item as Item | undefined;
    }

    async list(limit: number, afterId?: string): Promise<Page> {
        const out = await this.doc.send(new ScanCommand({
            TableName: this.tableName,
            Limit: limit,
            ExclusiveStartKey: afterId === undefined ? undefined : { [this.idKey]: afterId },
        }));
        const last = out.LastEvaluatedKey?.[this.idKey];
        return { items: (out.Items ?? []) as Item[], lastId: typeof last === "string" ? last : undefined };
    }

    /**
     * Replaces the item, conditionally on `precondition`: a version (`If-Match: "3"`; a missing item never matches),
     * `exists` (`If-Match: *`) or `absent` (`If-None-Match: *`). Without one it writes whatever the version. Writes
     * that only need the item to exist (or not) retry when another write lands between their read and their write.
     * Returns the stored item and whether it was created.
     */
    async put(id: string, fields: Record<string, unknown>, updatedBy: string, precondition?: Precondition): Promise<{ item: Item; created: boolean }> {
        const pinned = typeof precondition === "object";
        for (let attempt = 1; ; attempt++) {
            const current = pinned ? precondition.version : precondition === "absent" ? undefined : (await this.get(id))?.version;
            if (precondition === "exists" && current === undefined) {
                throw new VersionConflict(undefined);
            }
            const item: Item = { ...fields, [this.idKey]: id, version: (current ?? 0) + 1, updatedBy, updatedAt: new Date().toISOString() };
            try {
                await this.doc.send(new PutCommand({
                    TableName: this.tableName,
                    Item: item,
                    ConditionExpression: current === undefined ? "attribute_not_exists(#id)" : "#version = :version",
                    ExpressionAttributeNames: current === undefined ? { "#id": this.idKey } : { "#version": "version" },
                    ExpressionAttributeValues: current === undefined ? undefined : { ":version": current },
                }));
                return { item, created: current === undefined };
            } catch (err) {
                if (!(err instanceof ConditionalCheckFailedException)) {
                    throw err;
                }
                if (pinned || precondition === "absent" || attempt >= UNCONDITIONAL_ATTEMPTS) {
                    throw new VersionConflict((await this.get(id))?.version);
                }
            }
        }
    }
}
