// The part of autocannon 9's API the bench uses (the package ships no types).
declare module "autocannon" {
  export interface Histogram {
    readonly average: number
    readonly mean: number
    readonly stddev: number
    readonly min: number
    readonly max: number
    readonly total: number
    readonly p50: number
    readonly p90: number
    readonly p99: number
    readonly p99_9: number
  }
  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
  }
  export interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: ReadonlyArray<AutocannonRequest>
    overallRate?: number
    ignoreCoordinatedOmission?: boolean
    timeout?: number
    tlsOptions?: Record<string, unknown>
    workers?: number
  }
  export interface Result {
    readonly requests: Histogram
    readonly latency: Histogram
    readonly throughput: Histogram
    readonly errors: number
    readonly timeouts: number
    readonly non2xx: number
    readonly duration: number
    readonly start: Date
    readonly finish: Date
    readonly statusCodeStats: Record<string, { count: number }>
    readonly "2xx": number
  }
  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): unknown
  export default autocannon
}
