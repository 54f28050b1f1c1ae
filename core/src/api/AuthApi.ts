import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { User } from "../domain/User.js"
import { Forbidden, RateLimited, Unauthenticated, ValidationFailed } from "../errors/ApiErrors.js"
import {
  AccountDisabled,
  AccountPending,
  AccountRejected,
  InvalidCredentials,
  MachinePending,
  MachineRevoked,
  MachineUntrusted,
  TooManyAttempts,
  UsernameTaken
} from "../errors/AuthErrors.js"
import { OrgUnitId } from "../ids.js"
import { Email, Label, MacAddress, Phone, Username, Text } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"
import { strict } from "./shared.js"

/** OWASP ASVS 4.0.3 §2.1: at least 12 characters, up to 128, any characters, no composition rules. */
export const Password = Schema.String.pipe(
  Schema.minLength(12, { message: () => "must be at least 12 characters" }),
  Schema.maxLength(128, { message: () => "must be at most 128 characters" }),
  // bcrypt ends a password at NUL: "secret\0anything" would equal "secret"
  Schema.pattern(/^[^\u0000]*$/, { message: () => "must not contain NUL characters" }),
  Schema.annotations({ identifier: "Password", description: "12 to 128 characters; spaces and any script allowed" })
)

export const RegisterRequest = Schema.Struct({
  username: Username,
  displayName: Label(80),
  email: Email,
  phone: Schema.optionalWith(Schema.NullOr(Phone), { default: () => null }),
  password: Password,
  orgUnitId: OrgUnitId
}).annotations(strict)

export const Tokens = Schema.Struct({
  accessToken: Schema.String,
  accessTokenExpiresAt: Timestamp,
  refreshToken: Schema.String,
  refreshTokenExpiresAt: Timestamp,
  user: User
})
export type Tokens = typeof Tokens.Type

/** Portal and admin-app sign-in. The admin audience is open to admins only. */
export const LoginRequest = Schema.Struct({
  username: Text(64),
  password: Text(256),
  audience: Schema.Literal("portal", "admin")
}).annotations(strict)

export const ClientChallenge = Schema.Struct({ challenge: Schema.String, expiresAt: Timestamp })

/** A P-256 public key as JWK (the client's machine key). */
export const MachinePublicKey = Schema.Struct({
  kty: Schema.Literal("EC"),
  crv: Schema.Literal("P-256"),
  x: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{43}$/)),
  y: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{43}$/))
})
export type MachinePublicKey = typeof MachinePublicKey.Type

/**
 * CLI sign-in: password, plus the machine. The client lists its interfaces' MAC addresses and
 * signs the server's challenge with its machine key (ES256 over the challenge text, base64url).
 */
export const ClientLoginRequest = Schema.Struct({
  username: Text(64),
  password: Text(256),
  macs: Schema.Array(MacAddress).pipe(Schema.minItems(1), Schema.maxItems(32)),
  hostname: Text(255),
  publicKey: MachinePublicKey,
  challenge: Text(200),
  signature: Text(200)
}).annotations(strict)

export const RefreshRequest = Schema.Struct({ refreshToken: Text(200) }).annotations(strict)

export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("register", "/register")
      .setPayload(RegisterRequest)
      .addSuccess(User, { status: 201 })
      .addError(UsernameTaken)
      .addError(RateLimited)
  )
  .add(
    HttpApiEndpoint.post("login", "/login")
      .setPayload(LoginRequest)
      .addSuccess(Tokens)
      .addError(InvalidCredentials)
      .addError(TooManyAttempts)
      .addError(AccountDisabled)
      .addError(Forbidden)
  )
  .add(HttpApiEndpoint.post("clientChallenge", "/client/challenge").addSuccess(ClientChallenge).addError(RateLimited))
  .add(
    HttpApiEndpoint.post("clientLogin", "/client/login")
      .setPayload(ClientLoginRequest)
      .addSuccess(Tokens)
      .addError(InvalidCredentials)
      .addError(TooManyAttempts)
      .addError(AccountPending)
      .addError(AccountRejected)
      .addError(AccountDisabled)
      .addError(MachinePending)
      .addError(MachineRevoked)
      .addError(MachineUntrusted)
  )
  .add(HttpApiEndpoint.post("refresh", "/refresh").setPayload(RefreshRequest).addSuccess(Tokens).addError(Unauthenticated))
  .add(HttpApiEndpoint.post("logout", "/logout").setPayload(RefreshRequest).addSuccess(Schema.Void, { status: 204 }))
  .addError(ValidationFailed)
  .prefix("/api/v1/auth")
{}
