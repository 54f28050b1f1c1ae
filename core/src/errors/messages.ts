import { Schema } from "effect"

/**
 * User-facing text for every error code, in both languages the product speaks. The master picks the
 * language from Accept-Language and renders from the error body, so parameters (a retry time, a
 * resource name) come from the error's own fields.
 */
export type Locale = "en" | "zh"

type Body = Readonly<Record<string, unknown>>
type Render = (body: Body) => string

const str = (value: unknown, fallback: string) => (typeof value === "string" && value.length > 0 ? value : fallback)
const resourceZh: Record<string, string> = {
  user: "用户",
  device: "设备",
  slave: "从服务器",
  lease: "租约",
  machine: "机器绑定",
  org_unit: "组织单元",
  route: "接口",
  grant: "授权",
  enrollment_token: "注册令牌"
}
const issuesList = (body: Body) =>
  Array.isArray(body["issues"])
    ? (body["issues"] as ReadonlyArray<{ path?: ReadonlyArray<unknown> }>)
        .map((issue) => (issue.path ?? []).join("."))
        .filter((path) => path.length > 0)
        .filter((path, index, all) => all.indexOf(path) === index)
        .join(", ")
    : ""

export const errorMessages: Record<string, Record<Locale, Render>> = {
  VALIDATION_FAILED: {
    en: (b) => {
      const fields = issuesList(b)
      return fields ? `Some fields are not valid: ${fields}. Correct them and try again.` : "The request is not valid."
    },
    zh: (b) => {
      const fields = issuesList(b)
      return fields ? `以下字段无效：${fields}。请更正后重试。` : "请求格式无效。"
    }
  },
  UNAUTHENTICATED: {
    en: () => "Please sign in again: your session is missing or has expired.",
    zh: () => "请重新登录：会话不存在或已过期。"
  },
  FORBIDDEN: {
    en: () => "You do not have permission to do this.",
    zh: () => "您没有执行此操作的权限。"
  },
  NOT_FOUND: {
    en: (b) => `The ${str(b["resource"], "resource").replaceAll("_", " ")} was not found.`,
    zh: (b) => `未找到该${resourceZh[str(b["resource"], "")] ?? "资源"}。`
  },
  CONFLICT: {
    en: (b) => `This conflicts with the current state: ${str(b["reason"], "try again")}.`,
    zh: (b) => `与当前状态冲突：${str(b["reason"], "请重试")}。`
  },
  PAYLOAD_TOO_LARGE: {
    en: (b) => `The request is too large (limit ${String(b["limitBytes"] ?? "?")} bytes).`,
    zh: (b) => `请求过大（上限 ${String(b["limitBytes"] ?? "?")} 字节）。`
  },
  LENGTH_REQUIRED: {
    en: () => "Send the request body with a Content-Length header (chunked uploads are not accepted).",
    zh: () => "请求体必须带 Content-Length 头（不接受分块上传）。"
  },
  RATE_LIMITED: {
    en: (b) => `Too many attempts. Try again in ${String(b["retryAfterSeconds"] ?? "a few")} seconds.`,
    zh: (b) => `尝试次数过多，请在 ${String(b["retryAfterSeconds"] ?? "几")} 秒后重试。`
  },
  NOT_READY: {
    en: () => "The service is starting or its database is unreachable. Try again shortly.",
    zh: () => "服务正在启动或数据库不可达，请稍后重试。"
  },
  INVALID_CREDENTIALS: {
    en: () => "The username or password is wrong.",
    zh: () => "用户名或密码错误。"
  },
  TOO_MANY_ATTEMPTS: {
    en: (b) => `Too many failed sign-in attempts. Try again in ${String(b["retryAfterSeconds"] ?? "a few")} seconds.`,
    zh: (b) => `登录失败次数过多，请在 ${String(b["retryAfterSeconds"] ?? "几")} 秒后重试。`
  },
  ACCOUNT_PENDING: {
    en: () => "Your account is waiting for an administrator's approval. You can view and edit your profile meanwhile.",
    zh: () => "您的账号正在等待管理员审批。在此期间您可以查看和修改个人资料。"
  },
  ACCOUNT_REJECTED: {
    en: (b) => `Your registration was rejected${typeof b["reason"] === "string" && b["reason"] ? `: ${b["reason"]}` : ""}. Contact an administrator.`,
    zh: (b) => `您的注册申请已被拒绝${typeof b["reason"] === "string" && b["reason"] ? `：${b["reason"]}` : ""}。请联系管理员。`
  },
  ACCOUNT_DISABLED: {
    en: () => "Your account is disabled. Contact an administrator.",
    zh: () => "您的账号已被停用，请联系管理员。"
  },
  PASSWORD_CHANGE_REQUIRED: {
    en: () => "Change your password before continuing.",
    zh: () => "请先修改密码再继续。"
  },
  MACHINE_PENDING: {
    en: (b) => `This computer (${str(b["mac"], "unknown MAC")}) is not approved for your account yet. An approval request was sent to the administrators; try again once it is approved.`,
    zh: (b) => `此电脑（${str(b["mac"], "未知 MAC")}）尚未获准用于您的账号。已向管理员发送审批请求，批准后请重试。`
  },
  MACHINE_REVOKED: {
    en: (b) => `This computer (${str(b["mac"], "unknown MAC")}) was revoked for your account. Contact an administrator.`,
    zh: (b) => `此电脑（${str(b["mac"], "未知 MAC")}）的授权已被撤销，请联系管理员。`
  },
  MACHINE_UNTRUSTED: {
    en: () => "This computer could not prove it is the approved machine. Contact an administrator.",
    zh: () => "无法确认此电脑是已批准的机器，请联系管理员。"
  },
  USERNAME_TAKEN: {
    en: () => "This username is taken. Choose another one.",
    zh: () => "该用户名已被占用，请换一个。"
  },
  ORG_UNIT_IN_USE: {
    en: (b) => `This unit still has ${String(b["members"] ?? 0)} member(s) and ${String(b["children"] ?? 0)} sub-unit(s): move them first, or retire the unit instead.`,
    zh: (b) => `该单元仍有 ${String(b["members"] ?? 0)} 名成员和 ${String(b["children"] ?? 0)} 个下级单元：请先迁移，或改为停用该单元。`
  },
  SLAVE_DECOMMISSIONED: {
    en: () => "This slave was decommissioned by an administrator and may not report until it is re-admitted.",
    zh: () => "该从服务器已被管理员停用，重新启用前不能上报。"
  },
  DEVICE_BUSY: {
    en: (b) => `This device is in use by ${str(b["holderDisplayName"], "someone")} (${str(b["holderUsername"], "?")}). Join the queue or ask them to release it.`,
    zh: (b) => `该设备正由 ${str(b["holderDisplayName"], "他人")}（${str(b["holderUsername"], "?")}）使用。您可以排队等候或请求对方释放。`
  },
  DEVICE_UNAVAILABLE: {
    en: (b) =>
      ({
        slave_offline: "The slave this device is on is offline. Try again when it is back.",
        device_removed: "This device was unplugged from its slave.",
        device_offline: "This device is offline.",
        not_granted: "You have no access to this device. Ask an administrator for a grant.",
        reserved: "This device is reserved for the next person in the queue for a moment."
      })[str(b["reason"], "device_offline")] ?? "This device cannot be used now.",
    zh: (b) =>
      ({
        slave_offline: "该设备所在的从服务器已离线，请在其恢复后重试。",
        device_removed: "该设备已从从服务器上拔出。",
        device_offline: "该设备当前离线。",
        not_granted: "您没有使用该设备的权限，请联系管理员授权。",
        reserved: "该设备正在为排队中的下一位用户短暂保留。"
      })[str(b["reason"], "device_offline")] ?? "该设备当前无法使用。"
  },
  INTERNAL: {
    en: (b) => `Something went wrong on the server. Quote request id ${str(b["requestId"], "-")} when reporting it.`,
    zh: (b) => `服务器内部错误。报告问题时请提供请求编号 ${str(b["requestId"], "-")}。`
  }
}

/**
 * The `message` field of an error: the English text without parameters, a sensible default where
 * no HTTP response renders it (the master re-renders it in the caller's language).
 */
export const defaultMessage = (code: string) =>
  Schema.String.pipe(Schema.propertySignature, Schema.withConstructorDefault(() => errorMessages[code]?.en({}) ?? code))

/** Picks the locale from an Accept-Language header: Chinese when it is preferred, else English. */
export const localeFromAcceptLanguage = (header: string | undefined | null): Locale => {
  if (!header) return "en"
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";")
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="))
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 }
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q)
  for (const { tag } of ranked) {
    if (tag.startsWith("zh")) return "zh"
    if (tag.startsWith("en")) return "en"
  }
  return "en"
}

/** The message for an error body in a locale; unknown codes keep the message they came with. */
export const renderErrorMessage = (body: Body, locale: Locale): string | undefined => {
  const code = body["code"]
  if (typeof code !== "string") return undefined
  return errorMessages[code]?.[locale](body)
}
