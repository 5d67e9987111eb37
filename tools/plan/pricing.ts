/**
 * The price table (prices.json) and the usage assumptions the cost estimate multiplies prices by. Prices are data with
 * their sources; this module only reads and checks them, so a price is never made up here.
 */
import * as fs from "fs";
import * as path from "path";

/** One on-demand list price for one region, with where it comes from. */
export interface Price {
    readonly region: string;
    /** What is priced: a key of ITEM_UNITS, or `ec2:<instance type>`. */
    readonly item: string;
    readonly usd: number;
    /** The unit the price is per; must be the item's unit in ITEM_UNITS. */
    readonly per: string;
    /** The text in `via` that shows the number: verbatim fragments joined by " … ". */
    readonly quote: string;
    /** The public source the price is attributed to. */
    readonly source: string;
    /** The date the source states (an offer's publication, a page's check), as given there. */
    readonly published: string;
    /** Where the number was read, when not at `source` itself. */
    readonly via: string;
    /** The date it was read for this table. */
    readonly read: string;
    /** An amount a month AWS does not charge for, in the price's unit. */
    readonly free?: number;
    /** How the estimate applies the price, when the quote alone does not say. */
    readonly note?: string;
}

export interface PriceTable {
    readonly hoursPerMonth: number;
    readonly prices: readonly Price[];
    /** The price of `item` in `region`, undefined when the table has none. */
    find(region: string, item: string): Price | undefined;
}

export const PRICES_FILE = path.join(__dirname, "prices.json");

/** Every priced item and the unit the estimate multiplies it by. */
export const ITEM_UNITS: Readonly<Record<string, string>> = {
    "gwlb-hour": "hour",
    "gwlb-glcu": "GLCU-hour",
    "gwlbe-hour": "hour",
    "gwlbe-data": "GB",
    "nat-hour": "hour",
    "nat-data": "GB",
    "public-ipv4": "hour",
    "interface-endpoint-hour": "hour",
    "interface-endpoint-data": "GB",
    "network-firewall-endpoint": "hour",
    "network-firewall-data": "GB",
    "fargate-vcpu": "vCPU-hour",
    "fargate-memory": "GB-hour",
    "fargate-arm-vcpu": "vCPU-hour",
    "fargate-arm-memory": "GB-hour",
    "kms-key": "month",
    "kms-requests": "10,000 requests",
    "http-api-requests": "million requests",
    "cognito-mau": "MAU",
    "dynamodb-writes": "million request units",
    "dynamodb-reads": "million request units",
    "logs-ingest": "GB",
};

export function unitOf(item: string): string | undefined {
    return item.startsWith("ec2:") ? "hour" : ITEM_UNITS[item];
}

const TEXT_FIELDS = ["region", "item", "per", "quote", "source", "published", "via", "read"] as const;

/** Reads and checks the table; a bad entry is named by its index, region and item, with what is wrong with it. */
export function loadPriceTable(file = PRICES_FILE): PriceTable {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    const fail = (where: string, problem: string): never => {
        throw new Error(`${path.basename(file)}: ${where}: ${problem}`);
    };
    if (!Number.isInteger(doc.hoursPerMonth) || doc.hoursPerMonth <= 0) {
        fail("hoursPerMonth", "must be a positive integer");
    }
    if (!Array.isArray(doc.prices)) {
        fail("prices", "must be a list");
    }
    const byKey = new Map<string, Price>();
    doc.prices.forEach((p: Price, i: number) => {
        const where = `prices[${i}] (${p?.region} ${p?.item})`;
        for (const field of TEXT_FIELDS) {
            if (typeof p[field] !== "string" || p[field].trim() === "") {
                fail(where, `${field} must be a non-empty string`);
            }
        }
        if (typeof p.usd !== "number" || !(p.usd > 0)) {
            fail(where, "usd must be a positive number");
        }
        const unit = unitOf(p.item);
        if (unit === undefined) {
            fail(where, `unknown item; items are ec2:<type> and ${Object.keys(ITEM_UNITS).join(", ")}`);
        }
        if (p.per !== unit) {
            fail(where, `per must be "${unit}", the unit the estimate multiplies ${p.item} by`);
        }
        if (p.free !== undefined && (typeof p.free !== "number" || !(p.free >= 0))) {
            fail(where, "free must be a non-negative number");
        }
        if (p.note !== undefined && (typeof p.note !== "string" || p.note.trim() === "")) {
            fail(where, "note must be a non-empty string");
        }
        if (!/^https:\/\//.test(p.source)) {
            fail(where, "source must be an https URL");
        }
        if (!/^\d{4}-\d{2}-\d{2}$/.test(p.read)) {
            fail(where, "read must be a date, YYYY-MM-DD");
        }
        const key = `${p.region} ${p.item}`;
        if (byKey.has(key)) {
            fail(where, "a second price for the same region and item");
        }
        byKey.set(key, p);
    });
    const prices: Price[] = doc.prices;
    return {
        hoursPerMonth: doc.hoursPerMonth,
        prices,
        find: (region, item) => byKey.get(`${region} ${item}`),
    };
}

let projectTable: PriceTable | undefined;

/** The project's table, read and checked once per process: every plan in a test run or a bench shares it. */
export function priceTable(): PriceTable {
    return projectTable ??= loadPriceTable();
}

/** What usage-priced lines assume unless told otherwise (`--assume key=value`). */
export const ASSUMPTIONS = {
    apiRequestsPerMonth: { value: 1_000_000, description: "requests a month through the HTTP API" },
    inspectedGbPerMonth: { value: 10, description: "GB a month through the GWLB endpoints (requests and responses)" },
    monthlyActiveUsers: { value: 1_000, description: "user pool monthly active users" },
    dynamoDbReadUnitsPerMonth: { value: 1_000_000, description: "DynamoDB read request units a month, all tables" },
    dynamoDbWriteUnitsPerMonth: { value: 100_000, description: "DynamoDB write request units a month, all tables" },
    natGbPerMonth: { value: 5, description: "GB a month through the NAT gateways" },
    endpointGbPerMonth: { value: 5, description: "GB a month through the interface endpoints" },
    logGbPerMonth: { value: 2, description: "GB of logs ingested a month, all log groups" },
    kmsRequestsPerMonth: { value: 100_000, description: "KMS requests a month, all keys" },
} as const;

export type AssumptionKey = keyof typeof ASSUMPTIONS;
export type Assumptions = Record<AssumptionKey, number>;

/** The defaults with `overrides` on top; an unknown key or a value that is not a non-negative number is refused. */
export function assumptions(overrides: Readonly<Record<string, string | number>> = {}): Assumptions {
    const result = Object.fromEntries(Object.entries(ASSUMPTIONS).map(([k, a]) => [k, a.value])) as Assumptions;
    for (const [key, raw] of Object.entries(overrides)) {
        if (!Object.hasOwn(ASSUMPTIONS, key)) {
            throw new Error(`unknown assumption "${key}"; assumptions are ${Object.keys(ASSUMPTIONS).join(", ")}`);
        }
        const value = typeof raw === "number" ? raw : raw.trim() === "" ? NaN : Number(raw);
        if (!Number.isFinite(value) || value < 0) {
            throw new Error(`assumption ${key} = "${raw}": must be a non-negative number`);
        }
        result[key as AssumptionKey] = value;
    }
    return result;
}
