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
  RATE_LIMITED: {
    en: (b) => `Too many attempts. Try again in ${String(b["retryAfterSeconds"] ?? "a few")} seconds.`,
    zh: (b) => `尝试次数过多，请在 ${String(b["retryAfterSeconds"] ?? "几")} 秒后重试。`
  },
  NOT_READY: {
    en: () => "The service is starting or its database is unreachable. Try again shortly.",
    zh: () => "服务正在启动或数据库不可达，请稍后重试。"
  },
  INTERNAL: {
    en: (b) => `Something went wrong on the server. Quote request id ${str(b["requestId"], "-")} when reporting it.`,
    zh: (b) => `服务器内部错误。报告问题时请提供请求编号 ${str(b["requestId"], "-")}。`
  }
}

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
