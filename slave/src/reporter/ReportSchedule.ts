/**
 * When the next report goes out after an answer, in ms from the answer.
 *
 * The report is due `intervalSeconds` (the master's jittered interval) after the previous one was
 * *sent*, not after it was answered: a slow answer then does not move the slave's place in the
 * interval, and slaves that a busy master answers together do not come back together. Cohorts
 * like that kept forming after a cold start of a large fleet (the master answers its backlog in
 * bursts) and came back every interval as bursts of reports.
 *
 * An answer later than half an interval means the master is overloaded: the next report then
 * waits at least half an interval after the answer, spread at random over one interval, so the
 * fleet's reports are spread out again and no slave reports more often than once an interval.
 */
export const nextReportDelayMs = (sentAt: number, answeredAt: number, intervalSeconds: number, random: () => number = Math.random) => {
  const intervalMs = intervalSeconds * 1000
  const elapsed = Math.max(0, answeredAt - sentAt)
  if (elapsed <= intervalMs / 2) return intervalMs - elapsed
  return Math.round(intervalMs / 2 + random() * intervalMs)
}
