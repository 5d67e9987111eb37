import { CidrError, Cidr, contains, formatCidr, parseCidr } from "../network/cidr";

/** A value broke a rule; `rule` is phrased so it reads after "must". */
export class RuleViolation extends Error {
    constructor(readonly rule: string) {
        super(rule);
        this.name = "RuleViolation";
    }
}

/** Parses one raw config string into a typed value or throws a {@link RuleViolation}. */
export type Parser<T> = (raw: string) => T;

const INTEGER = /^-?\d+$/;

export function integer(min: number, max: number): Parser<number> {
    const rule = `be an integer from ${min} to ${max}`;
    return raw => {
        const value = Number(raw);
        if (!INTEGER.test(raw) || value < min || value > max) {
            throw new RuleViolation(rule);
        }
        return value;
    };
}

export function oneOfIntegers(allowed: readonly number[], why: string): Parser<number> {
    const rule = `be one of ${allowed.join(", ")} (${why})`;
    return raw => {
        const value = Number(raw);
        if (!INTEGER.test(raw) || !allowed.includes(value)) {
            throw new RuleViolation(rule);
        }
        return value;
    };
}

export function oneOf<T extends string>(allowed: readonly T[]): Parser<T> {
    const rule = `be exactly one of ${allowed.map(a => `"${a}"`).join(", ")}`;
    return raw => {
        if (!(allowed as readonly string[]).includes(raw)) {
            throw new RuleViolation(rule);
        }
        return raw as T;
    };
}

export const boolean: Parser<boolean> = raw => {
    if (raw !== "true" && raw !== "false") {
        throw new RuleViolation(`be exactly true or false`);
    }
    return raw === "true";
};

export function matching(pattern: RegExp, description: string): Parser<string> {
    return raw => {
        if (!pattern.test(raw)) {
            throw new RuleViolation(`be ${description}`);
        }
        return raw;
    };
}

export function maxLength(max: number, why: string): Parser<string> {
    return raw => {
        if (Buffer.byteLength(raw, "utf8") > max) {
            throw new RuleViolation(`be at most ${max} bytes (${why})`);
        }
        return raw;
    };
}

/** An empty string means "not set": Pulumi.yaml needs a default for a key to be optional. */
export function optional<T>(parse: Parser<T>): Parser<T | undefined> {
    return raw => (raw === "" ? undefined : parse(raw));
}

/** Address space AWS routes privately: RFC 1918 plus the RFC 6598 shared space that VPCs also accept. */
const PRIVATE_RANGES: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map(parseCidr);

/** A canonical, private IPv4 CIDR whose prefix lies in [minPrefix, maxPrefix]. */
export function privateCidr(minPrefix: number, maxPrefix: number): Parser<string> {
    return raw => {
        let cidr: Cidr;
        try {
            cidr = parseCidr(raw);
        } catch (err) {
            if (err instanceof CidrError) {
                throw new RuleViolation(`be a valid IPv4 CIDR (${err.reason})`);
            }
            throw err;
        }
        if (cidr.prefix < minPrefix || cidr.prefix > maxPrefix) {
            throw new RuleViolation(`have a prefix length from /${minPrefix} to /${maxPrefix}`);
        }
        if (!PRIVATE_RANGES.some(range => contains(range, cidr))) {
            throw new RuleViolation(`lie in a private range (${PRIVATE_RANGES.map(formatCidr).join(", ")})`);
        }
        return raw;
    };
}

/** A browser origin: https with a host name, or http on localhost for development. */
const ORIGIN = /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;

/** A comma-separated list of browser origins, or `*` alone; empty means none. */
export const origins: Parser<readonly string[]> = raw => {
    const list = raw.split(",").map(o => o.trim()).filter(o => o !== "");
    if (list.length === 1 && list[0] === "*") {
        return list;
    }
    const bad = list.find(o => !ORIGIN.test(o));
    if (bad !== undefined) {
        throw new RuleViolation(`be a comma-separated list of origins like https://app.example.com (scheme and host, ` +
            `optional port, no path or trailing slash; http only for localhost) or * alone; "${bad}" is not one`);
    }
    return list;
};

/**
 * Who may connect endpoints to an endpoint service: account ids, or IAM ARNs of an account's root, a role or a user.
 * AWS refuses principal ARNs with a path (role/team/name) and `*` is never granted here.
 */
const PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@-]{1,64}|user\/[\w+=,.@-]{1,64}))$/;

/** A comma-separated list of principals; empty means none beyond this account. */
export const principals: Parser<readonly string[]> = raw => {
    const list = raw.split(",").map(p => p.trim()).filter(p => p !== "");
    const bad = list.find(p => !PRINCIPAL.test(p));
    if (bad !== undefined) {
        throw new RuleViolation(`be a comma-separated list of 12-digit account ids or IAM ARNs of an account's root, a role or a ` +
            `user (arn:aws:iam::<account>:role/<name>, no path); "${bad}" is not one`);
    }
    return list;
};
