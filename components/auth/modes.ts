/** How sign-in asks for a second factor; `on` makes every user enrol an authenticator app at first sign-in. */
export const MFA_MODES = ["off", "optional", "on"] as const;
export type MfaMode = (typeof MFA_MODES)[number];

/**
 * Who may become a user, and so write. `admin-confirmed`: anyone may sign up, but no code is mailed, so an account
 * works only once an administrator confirms it. `open`: users confirm themselves with the code mailed to them.
 * `invite-only`: only administrators create users.
 */
export const SIGN_UP_MODES = ["admin-confirmed", "open", "invite-only"] as const;
export type SignUpMode = (typeof SIGN_UP_MODES)[number];
