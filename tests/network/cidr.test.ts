import * as assert from "assert";
import { contains, formatCidr, overlaps, parseCidr, size, subdivide } from "../../components/network/cidr";

describe("cidr", () => {
    it("parses and formats canonical CIDRs", () => {
        for (const text of ["10.0.0.0/16", "0.0.0.0/0", "255.255.255.255/32", "172.16.0.0/12", "10.0.17.128/28"]) {
            assert.strictEqual(formatCidr(parseCidr(text)), text);
        }
        assert.strictEqual(size(parseCidr("10.0.0.0/28")), 16);
    });

    it("rejects malformed text with the reason", () => {
        const cases: [string, RegExp][] = [
            ["10.0.0.0", /a\.b\.c\.d\/n/],
            ["10.0.0/16", /a\.b\.c\.d\/n/],
            ["10.0.0.256/24", /0 to 255/],
            ["10.00.0.0/16", /leading zeros/],
            ["10.0.0.0/33", /0 to 32/],
            ["10.0.0.1/16", /host bits are set; the network address is 10\.0\.0\.0\/16/],
            [" 10.0.0.0/16", /a\.b\.c\.d\/n/],
        ];
        for (const [text, reason] of cases) {
            assert.throws(() => parseCidr(text), reason, text);
        }
    });

    it("answers containment and overlap", () => {
        const vpc = parseCidr("10.0.0.0/16");
        assert.ok(contains(vpc, parseCidr("10.0.255.240/28")));
        assert.ok(contains(vpc, vpc));
        assert.ok(!contains(vpc, parseCidr("10.1.0.0/28")));
        assert.ok(!contains(parseCidr("10.0.0.0/24"), vpc));
        assert.ok(overlaps(parseCidr("10.0.0.0/8"), vpc));
        assert.ok(overlaps(vpc, parseCidr("10.0.0.0/8")));
        assert.ok(!overlaps(vpc, parseCidr("10.100.0.0/16")));
        assert.ok(contains(parseCidr("0.0.0.0/0"), parseCidr("192.168.1.0/24")));
    });

    it("subdivides only inside the parent", () => {
        const vpc = parseCidr("10.0.0.0/16");
        assert.strictEqual(formatCidr(subdivide(vpc, 19, 7)), "10.0.224.0/19");
        assert.throws(() => subdivide(vpc, 19, 8), /holds 8 blocks/);
        assert.throws(() => subdivide(vpc, 15, 0), /cannot cut/);
    });
});
