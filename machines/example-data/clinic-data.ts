import { addDays, nairobiDate, weekdayOf } from './calendar.ts'

/**
 * In-memory stand-in for a clinic booking system, so the example clinic flow runs without one.
 * A real deployment replaces these calls in `clinic.tasks.ts` with calls to its own API.
 */

export interface Clinic {
  readonly id: string
  readonly name: string
}

export type AppointmentStatus = 'booked' | 'confirmed' | 'cancelled'

export interface Appointment {
  readonly reference: string
  readonly msisdn: string
  readonly clinicId: string
  /** Nairobi calendar date, `YYYY-MM-DD`. */
  readonly date: string
  /** 24-hour `HH:MM`. */
  readonly time: string
  status: AppointmentStatus
}

export interface NurseQuestion {
  readonly reference: string
  readonly msisdn: string
  readonly age: number
  readonly question: string
}

export const clinics: readonly Clinic[] = [
  'Kibera South Health Centre',
  'Kangemi Health Centre',
  'Kawangware Health Centre',
  'Riruta Health Centre',
  'Mathare North Health Centre',
  'Dandora II Health Centre',
  'Kayole II Health Centre',
  'Embakasi Health Centre',
  'Githurai Health Centre',
  'Kariobangi North Clinic',
  'Lunga Lunga Health Centre',
  'Makadara Health Centre',
  'Ngara Health Centre',
  'Pumwani Maternity Clinic',
  'Baba Dogo Health Centre',
  'Huruma Health Centre',
  'Korogocho Health Centre',
  'Mukuru Kwa Njenga Clinic',
  'Ruaraka Health Centre',
  'Kasarani Health Centre',
  'Zimmerman Health Centre',
  'Kahawa West Health Centre',
  'Karen Health Centre',
  'Langata Health Centre',
  'Waithaka Health Centre',
  'Dagoretti Health Centre',
  'Westlands Health Centre',
  'Eastleigh Health Centre',
  'Kamukunji Health Centre',
  'Roysambu Health Centre',
].map((name, index) => ({ id: `C${String(index + 1).padStart(2, '0')}`, name }))

/** Start times of the appointment slots, the same every day the clinics open. */
export const slotTimes: readonly string[] = ['08:00', '09:00', '10:00', '11:00', '14:00', '15:00']

const sunday = 0

class ClinicData {
  now: () => Date = () => new Date()
  appointments: Appointment[] = []
  questions: NurseQuestion[] = []
  private readonly byIdempotencyKey = new Map<string, unknown>()
  // Next reference number for each prefix, from 1001.
  private readonly nextNumbers = new Map<string, number>()

  /** Forgets every appointment and question, and sets the clock (the system clock by default). */
  reset(options: { now?: () => Date } = {}): void {
    this.now = options.now ?? (() => new Date())
    this.appointments = []
    this.questions = []
    this.byIdempotencyKey.clear()
    this.nextNumbers.clear()
  }

  clinic(id: string): Clinic {
    const clinic = clinics.find((candidate) => candidate.id === id)
    if (clinic === undefined) throw new Error(`Clinic "${id}" not found.`)
    return clinic
  }

  /** Finds the caller's next appointment that is neither cancelled nor in the past. */
  upcomingAppointment(msisdn: string): Appointment | undefined {
    const today = nairobiDate(this.now())
    return this.appointments.find(
      (appointment) =>
        appointment.msisdn === msisdn &&
        appointment.status !== 'cancelled' &&
        appointment.date >= today,
    )
  }

  /** Lists the next `count` opening days from tomorrow (clinics close on Sunday) with a free slot. */
  openDays(clinicId: string, count: number): string[] {
    const today = nairobiDate(this.now())
    const days: string[] = []
    for (let offset = 1; days.length < count && offset <= count * 2; offset += 1) {
      const date = addDays(today, offset)
      if (weekdayOf(date) === sunday) continue
      if (this.freeSlots(clinicId, date).length > 0) days.push(date)
    }
    return days
  }

  freeSlots(clinicId: string, date: string): string[] {
    const taken = new Set(
      this.appointments
        .filter((a) => a.clinicId === clinicId && a.date === date && a.status !== 'cancelled')
        .map((a) => a.time),
    )
    return slotTimes.filter((time) => !taken.has(time))
  }

  /** Books a slot once per idempotency key. A repeated key returns the first booking. */
  book(request: {
    msisdn: string
    clinicId: string
    date: string
    time: string
    idempotencyKey: string
  }): Appointment {
    return this.once(request.idempotencyKey, () => {
      this.clinic(request.clinicId)
      if (this.upcomingAppointment(request.msisdn) !== undefined) {
        throw new Error('The caller already has an upcoming appointment. Cancel it before booking.')
      }
      if (!this.freeSlots(request.clinicId, request.date).includes(request.time)) {
        throw new Error(`Slot ${request.date} ${request.time} at ${request.clinicId} is taken.`)
      }

      const appointment: Appointment = {
        reference: this.reference('AP'),
        msisdn: request.msisdn,
        clinicId: request.clinicId,
        date: request.date,
        time: request.time,
        status: 'booked',
      }
      this.appointments.push(appointment)
      return appointment
    })
  }

  /**
   * Sets the status of one of the caller's appointments, found by its reference, so a repeated
   * request changes nothing more.
   */
  updateAppointment(
    msisdn: string,
    reference: string,
    status: Exclude<AppointmentStatus, 'booked'>,
  ): Appointment {
    const appointment = this.appointments.find(
      (candidate) => candidate.msisdn === msisdn && candidate.reference === reference,
    )
    if (appointment === undefined) {
      throw new Error(`Appointment "${reference}" not found for this phone number.`)
    }
    appointment.status = status
    return appointment
  }

  /** Finds one of the caller's appointments by its reference, or raises naming it. */
  appointment(msisdn: string, reference: string): Appointment {
    const appointment = this.appointments.find(
      (candidate) => candidate.msisdn === msisdn && candidate.reference === reference,
    )
    if (appointment === undefined) {
      throw new Error(`Appointment "${reference}" not found for this phone number.`)
    }
    return appointment
  }

  /**
   * Lists the next `count` free slots at a clinic from tomorrow, over the next two weeks,
   * leaving out `except` (the slot just given up, which nobody wants offered back).
   */
  nextFreeSlots(
    clinicId: string,
    count: number,
    except?: { date: string; time: string },
  ): { date: string; time: string }[] {
    const today = nairobiDate(this.now())
    const slots: { date: string; time: string }[] = []
    for (let offset = 1; slots.length < count && offset <= 14; offset += 1) {
      const date = addDays(today, offset)
      if (weekdayOf(date) === sunday) continue
      for (const time of this.freeSlots(clinicId, date)) {
        if (except?.date === date && except.time === time) continue
        if (slots.length < count) slots.push({ date, time })
      }
    }
    return slots
  }

  /**
   * Moves one of the caller's appointments to a free slot at the same clinic, once per
   * idempotency key: the new booking keeps the clinic and gets a new reference.
   */
  reschedule(request: {
    msisdn: string
    reference: string
    date: string
    time: string
    idempotencyKey: string
  }): Appointment {
    return this.once(request.idempotencyKey, () => {
      const current = this.appointment(request.msisdn, request.reference)
      if (!this.freeSlots(current.clinicId, request.date).includes(request.time)) {
        throw new Error(`Slot ${request.date} ${request.time} at ${current.clinicId} is taken.`)
      }

      current.status = 'cancelled'
      const moved: Appointment = {
        reference: this.reference('AP'),
        msisdn: request.msisdn,
        clinicId: current.clinicId,
        date: request.date,
        time: request.time,
        status: 'booked',
      }
      this.appointments.push(moved)
      return moved
    })
  }

  /** Records a question for the nurses once per idempotency key. */
  ask(request: {
    msisdn: string
    age: number
    question: string
    idempotencyKey: string
  }): NurseQuestion {
    return this.once(request.idempotencyKey, () => {
      const question: NurseQuestion = {
        reference: this.reference('NQ'),
        msisdn: request.msisdn,
        age: request.age,
        question: request.question,
      }
      this.questions.push(question)
      return question
    })
  }

  private once<T>(idempotencyKey: string, create: () => T): T {
    if (this.byIdempotencyKey.has(idempotencyKey))
      return this.byIdempotencyKey.get(idempotencyKey) as T
    const result = create()
    this.byIdempotencyKey.set(idempotencyKey, result)
    return result
  }

  private reference(prefix: string): string {
    const number = this.nextNumbers.get(prefix) ?? 1001
    this.nextNumbers.set(prefix, number + 1)
    return `${prefix}${number}`
  }
}

export const clinicData = new ClinicData()
