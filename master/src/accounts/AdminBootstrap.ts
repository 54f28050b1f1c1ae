import { AuditRepo, UsersRepo } from "@ncod/sql"
import { Data, Effect, Option, type Redacted } from "effect"
import { generatePassword, Passwords } from "./Passwords.js"

export class AdminExists extends Data.TaggedError("AdminExists")<{ readonly username: string }> {
  override get message() {
    return `a user named ${this.username} already exists`
  }
}

export interface CreateAdminInput {
  readonly username: string
  readonly displayName: string
  /** When absent a one-time password is generated and must be changed at first login. */
  readonly password: Option.Option<Redacted.Redacted<string>>
}

/** Creates an approved admin account and records it in the audit log. */
export const createAdmin = (input: CreateAdminInput) =>
  Effect.gen(function* () {
    const users = yield* UsersRepo
    const audit = yield* AuditRepo
    const passwords = yield* Passwords
    if (Option.isSome(yield* users.findByUsername(input.username))) {
      return yield* new AdminExists({ username: input.username })
    }
    const password = Option.getOrElse(input.password, generatePassword)
    const inserted = yield* users.insert({
      username: input.username,
      displayName: input.displayName,
      email: null,
      phone: null,
      passwordHash: yield* passwords.hash(password),
      role: "admin",
      status: "approved",
      orgUnitId: null,
      mustChangePassword: Option.isNone(input.password)
    })
    if (Option.isNone(inserted)) return yield* new AdminExists({ username: input.username })
    const user = inserted.value
    yield* audit.record({
      actorKind: "system",
      action: "user.create_admin",
      targetType: "user",
      targetId: user.id,
      result: "success",
      details: { username: user.username }
    })
    return { user: user.toUser(), password, generated: Option.isNone(input.password) }
  })

/**
 * On a fresh installation there is nobody to log in as: create `admin` with a one-time password
 * that the banner prints once. Does nothing when any admin exists.
 */
export const ensureFirstAdmin =
  Effect.gen(function* () {
    const users = yield* UsersRepo
    if ((yield* users.countAdmins) > 0) return Option.none()
    const created = yield* createAdmin({
      username: "admin",
      displayName: "Administrator",
      password: Option.none()
    }).pipe(Effect.catchTag("AdminExists", () => Effect.succeed(undefined)))
    return Option.fromNullable(created).pipe(Option.map(({ password, user }) => ({ username: user.username, password })))
  })
