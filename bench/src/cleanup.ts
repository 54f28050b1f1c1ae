/** What to undo when the bench is interrupted (Ctrl-C): stop the master, drop its database, stop the workers. */
const tasks = new Set<() => Promise<unknown>>()

export const onInterrupt = (task: () => Promise<unknown>) => {
  tasks.add(task)
  return () => void tasks.delete(task)
}

let interrupted = false

export const installInterruptHandlers = () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130)
      interrupted = true
      process.stderr.write(`\n${signal}: stopping the master and removing what the run created…\n`)
      Promise.allSettled([...tasks].map((task) => task())).then(() => process.exit(130))
    })
  }
}
