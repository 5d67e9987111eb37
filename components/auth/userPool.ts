import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { checkArgs, knownNow, oneOfValues } from "../argRules";
import { TaggedArgs, tagChildren } from "../tags";

import { MFA_MODES, MfaMode, SIGN_UP_MODES } from "./modes";

const MFA_CONFIGURATION: Readonly<Record<MfaMode, string>> = { off: "OFF", optional: "OPTIONAL", on: "ON" };

/** The scope Cognito puts in the access token of a person who signed in directly (SRP or password). */
export const COGNITO_USER_SCOPE = "aws.cognito.signin.user.admin";

/** The scope a service's resource server grants for writes: `<service>/write`. */
export function writeScope(service: string): string {
    return `${service}/write`;
}

/** Arguments of {@link ApiUserPool}. */
export interface ApiUserPoolArgs extends TaggedArgs {
    /**
     * Second factor, TOTP authenticator apps only, so no SMS role or spend is involved: `off`, `optional`, or `on`
     * (every user enrols an authenticator app at first sign-in). Default `optional`.
     */
    readonly mfa?: string;
    /**
     * Who may become a user, and so write. `admin-confirmed`: anyone may sign up, but no code is mailed, so an account
     * works only once an administrator confirms it. `open`: users confirm themselves with the code mailed to them.
     * `invite-only`: only administrators create users. Default `admin-confirmed`.
     */
    readonly signUp?: string;
    /**
     * Deletion protection on, and the pool retained when the stack is destroyed: users and their passwords cannot be
     * recreated, so `pulumi destroy` leaves them in place. Default true.
     */
    readonly protectData?: boolean;
    /** One resource server per service, each with a `write` scope, for machine clients. Default: none. */
    readonly services?: string[];
    /**
     * Adds a client-credentials client (with a secret) granted every service's write scope, and the domain it needs.
     * Default false.
     */
    readonly machineClient?: boolean;
    /**
     * Lets the app client take `USER_PASSWORD_AUTH` besides SRP, so the AWS CLI can sign in (`initiate-auth`). The
     * password then travels to Cognito over TLS instead of being proven by SRP; leave it off in production. Default false.
     */
    readonly allowPasswordAuth?: boolean;
}

/**
 * The Cognito user pool that signs API writers in: email as the username, a strong password policy, TOTP MFA as
 * configured, and an app client without a secret (SRP and refresh tokens) for browsers and mobile apps.
 */
export class ApiUserPool extends pulumi.ComponentResource {
    /** The user pool's id. */
    public readonly userPoolId: pulumi.Output<string>;
    /** The user pool's ARN. */
    public readonly userPoolArn: pulumi.Output<string>;
    /** What a JWT authorizer trusts: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
    public readonly issuer: pulumi.Output<string>;
    /** The client people sign in with. */
    public readonly appClientId: pulumi.Output<string>;
    /** The client-credentials client; present only with `machineClient`. Its secret stays in Cognito. */
    public readonly machineClientId?: pulumi.Output<string>;
    /** Every client whose tokens the API accepts. */
    public readonly audiences: pulumi.Output<string>[];
    /** Where machine clients get tokens (`/oauth2/token`); present only with `machineClient`. */
    public readonly tokenEndpoint?: pulumi.Output<string>;

    constructor(name: string, args: ApiUserPoolArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:auth:ApiUserPool", name, {}, tagChildren(opts, args.tags));
        checkArgs(this, "ApiUserPool", name, [
            ["mfa", oneOfValues(args.mfa ?? "optional", MFA_MODES)],
            ["signUp", oneOfValues(args.signUp ?? "admin-confirmed", SIGN_UP_MODES)],
            ["services", knownNow(args.services)],
        ]);
        const mfa = (args.mfa ?? "optional") as MfaMode;
        const signUp = args.signUp ?? "admin-confirmed";
        const protectData = args.protectData ?? true;
        const services = args.services ?? [];
        // Cognito mails a confirmation code only for auto-verified attributes: without one, a self-signed-up user
        // cannot confirm the account, and only an administrator can.
        const mailsCodes = signUp !== "admin-confirmed";
        const pool = new aws.cognito.UserPool(`${name}-pool`, {
            usernameAttributes: ["email"],
            usernameConfiguration: { caseSensitive: false },
            adminCreateUserConfig: { allowAdminCreateUserOnly: signUp === "invite-only" },
            autoVerifiedAttributes: mailsCodes ? ["email"] : undefined,
            // A changed email takes effect only once the user proves the new address.
            userAttributeUpdateSettings: mailsCodes ? { attributesRequireVerificationBeforeUpdates: ["email"] } : undefined,
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            passwordPolicy: {
                minimumLength: 14,
                requireLowercase: true,
                requireUppercase: true,
                requireNumbers: true,
                requireSymbols: true,
                temporaryPasswordValidityDays: 3,
            },
            mfaConfiguration: MFA_CONFIGURATION[mfa],
            softwareTokenMfaConfiguration: mfa === "off" ? undefined : { enabled: true },
            deletionProtection: protectData ? "ACTIVE" : "INACTIVE",
            tags: { Name: name },
        }, { parent: this, retainOnDelete: protectData });

        const resourceServers = services.map(service => new aws.cognito.ResourceServer(`${name}-${service}`, {
            userPoolId: pool.id,
            identifier: service,
            name: service,
            scopes: [{ scopeName: "write", scopeDescription: `PUT items of ${service}` }],
        }, { parent: this }));

        const tokenLifetimes = {
            accessTokenValidity: 60,
            idTokenValidity: 60,
            refreshTokenValidity: 30,
            tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
            enableTokenRevocation: true,
            preventUserExistenceErrors: "ENABLED",
        };
        const appClient = new aws.cognito.UserPoolClient(`${name}-app`, {
            userPoolId: pool.id,
            generateSecret: false,
            explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", ...(args.allowPasswordAuth ? ["ALLOW_USER_PASSWORD_AUTH"] : [])],
            authSessionValidity: 3,
            ...tokenLifetimes,
        }, { parent: this });

        this.audiences = [appClient.id];
        if (args.machineClient) {
            const { accountId, region } = awsContext(this);
            // Prefixes are global per region; a digest of account, region and pool name is unique and stable, and
            // can never contain the words Cognito reserves (aws, amazon, cognito).
            const domain = new aws.cognito.UserPoolDomain(`${name}-domain`, {
                userPoolId: pool.id,
                domain: pulumi.interpolate`${accountId}/${region}/${name}`.apply(seed =>
                    `api-auth-${crypto.createHash("sha256").update(seed).digest("hex").slice(0, 16)}`),
            }, { parent: this });
            const machine = new aws.cognito.UserPoolClient(`${name}-machine`, {
                userPoolId: pool.id,
                generateSecret: true,
                allowedOauthFlows: ["client_credentials"],
                allowedOauthFlowsUserPoolClient: true,
                allowedOauthScopes: services.map(writeScope),
                supportedIdentityProviders: ["COGNITO"],
                explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
                ...tokenLifetimes,
            }, { parent: this, dependsOn: resourceServers });
            this.machineClientId = machine.id;
            this.audiences.push(machine.id);
            this.tokenEndpoint = pulumi.interpolate`https://${domain.domain}.auth.${region}.amazoncognito.com/oauth2/token`;
        }

        this.userPoolId = pool.id;
        this.userPoolArn = pool.arn;
        this.issuer = pulumi.interpolate`https://${pool.endpoint}`;
        this.appClientId = appClient.id;
        this.registerOutputs({
            userPoolId: this.userPoolId,
            userPoolArn: this.userPoolArn,
            issuer: this.issuer,
            appClientId: this.appClientId,
            machineClientId: this.machineClientId,
            audiences: this.audiences,
            tokenEndpoint: this.tokenEndpoint,
        });
    }
}
