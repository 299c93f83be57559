// The reminder uses the clinic's tasks, so one file talks to the booking system.
export { tasks } from './clinic.tasks.ts'
