import * as assert from "assert";
import { deploy, ProgramRun, T } from "../kit";

describe("ApiUserPool", () => {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await deploy();
        prod = await deploy({ stack: "prod" });
    });

    it("signs in by email with a strong password policy and email recovery", () => {
        const pool = dev.resources.get(T.userPool, "users-pool").inputs;
        assert.deepStrictEqual(pool.usernameAttributes, ["email"]);
        assert.strictEqual(pool.usernameConfiguration.caseSensitive, false);
        assert.deepStrictEqual(pool.passwordPolicy, {
            minimumLength: 14, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true,
            temporaryPasswordValidityDays: 3,
        });
        assert.deepStrictEqual(pool.accountRecoverySetting.recoveryMechanisms, [{ name: "verified_email", priority: 1 }]);
    });

    it("lets people sign up but mails no code by default, so only an administrator can confirm (and so admit a writer)", () => {
        const pool = dev.resources.get(T.userPool, "users-pool").inputs;
        assert.strictEqual(pool.adminCreateUserConfig.allowAdminCreateUserOnly, false);
        assert.strictEqual(pool.autoVerifiedAttributes, undefined);
        assert.strictEqual(pool.userAttributeUpdateSettings, undefined);
    });

    for (const [mode, adminOnly] of [["open", false], ["invite-only", true]] as const) {
        it(`with userSignUp ${mode}, verifies email by code${adminOnly ? " and lets only administrators create users" : " and lets users confirm themselves"}`, async () => {
            const pool = (await deploy({ config: { userSignUp: mode } })).resources.get(T.userPool, "users-pool").inputs;
            assert.strictEqual(pool.adminCreateUserConfig.allowAdminCreateUserOnly, adminOnly);
            assert.deepStrictEqual(pool.autoVerifiedAttributes, ["email"]);
            assert.deepStrictEqual(pool.userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates, ["email"]);
        });
    }

    for (const [mode, expected, totp] of [["off", "OFF", undefined], ["optional", "OPTIONAL", true], ["on", "ON", true]] as const) {
        it(`sets MFA ${mode}: ${expected}${totp ? " with authenticator apps" : ""}`, async () => {
            const run = mode === "optional" ? dev : await deploy({ config: { userPoolMfa: mode } });
            const pool = run.resources.get(T.userPool, "users-pool").inputs;
            assert.strictEqual(pool.mfaConfiguration, expected);
            assert.strictEqual(pool.softwareTokenMfaConfiguration?.enabled, totp);
        });
    }

    it("protects and retains the pool only when protectData is on", () => {
        const devPool = dev.resources.get(T.userPool, "users-pool");
        const prodPool = prod.resources.get(T.userPool, "users-pool");
        assert.deepStrictEqual([devPool.inputs.deletionProtection, devPool.retainOnDelete], ["INACTIVE", false]);
        assert.deepStrictEqual([prodPool.inputs.deletionProtection, prodPool.retainOnDelete], ["ACTIVE", true]);
    });

    it("gives the app client no secret, SRP and refresh (password sign-in only where the stack allows it), and short-lived tokens", () => {
        const prodClient = prod.resources.get(T.userPoolClient, "users-app").inputs;
        assert.strictEqual(prodClient.generateSecret, false);
        assert.deepStrictEqual(prodClient.explicitAuthFlows, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
        assert.deepStrictEqual([prodClient.accessTokenValidity, prodClient.idTokenValidity, prodClient.refreshTokenValidity], [60, 60, 30]);
        assert.deepStrictEqual(prodClient.tokenValidityUnits, { accessToken: "minutes", idToken: "minutes", refreshToken: "days" });
        assert.strictEqual(prodClient.preventUserExistenceErrors, "ENABLED");
        assert.strictEqual(prodClient.enableTokenRevocation, true);
        // The dev stack lets the README's AWS CLI walkthrough sign in with a password.
        assert.ok(dev.resources.get(T.userPoolClient, "users-app").inputs.explicitAuthFlows.includes("ALLOW_USER_PASSWORD_AUTH"));
    });

    it("has a resource server with a write scope per service, and no machine client unless asked", () => {
        const servers = dev.resources.ofType(T.resourceServer);
        assert.deepStrictEqual(servers.map(s => s.inputs.identifier).sort(), ["foodstore", "petstore"]);
        servers.forEach(s => assert.deepStrictEqual(s.inputs.scopes.map((x: { scopeName: string }) => x.scopeName), ["write"]));
        assert.deepStrictEqual(dev.resources.ofType(T.userPoolClient).map(c => c.name), ["users-app"]);
        assert.deepStrictEqual(dev.resources.ofType(T.userPoolDomain), []);
    });

    it("with machineClient, adds a client-credentials client for the write scopes and the domain its token endpoint lives on", async () => {
        const run = await deploy({ config: { machineClient: true } });
        const { resources, outputs } = run;
        const machine = resources.get(T.userPoolClient, "users-machine");
        assert.strictEqual(machine.inputs.generateSecret, true);
        assert.deepStrictEqual(machine.inputs.allowedOauthFlows, ["client_credentials"]);
        assert.deepStrictEqual(machine.inputs.allowedOauthScopes, ["petstore/write", "foodstore/write"]);
        assert.strictEqual(machine.inputs.allowedOauthFlowsUserPoolClient, true);
        for (const server of resources.ofType(T.resourceServer)) {
            assert.ok(machine.dependencies.includes(server.urn), `the scopes of ${server.name} must exist before the client`);
        }
        const domain = resources.get(T.userPoolDomain, "users-domain").inputs.domain;
        assert.match(domain, /^api-auth-[0-9a-f]{16}$/);
        assert.strictEqual(outputs.tokenEndpoint, `https://${domain}.auth.us-east-1.amazoncognito.com/oauth2/token`);
        assert.strictEqual(outputs.machineClientId, machine.id);
        assert.ok(!JSON.stringify(outputs).includes(machine.state.clientSecret), "the client secret must not be a stack output");
    });
});
