import type { Task } from '../src/engine/flow.ts'
import { formatDay, formatTime } from './example-data/calendar.ts'
import { clinicData, clinics, type Appointment } from './example-data/clinic-data.ts'
import { contextLanguage, contextNumber, contextString } from './example-data/read-context.ts'

// Number of days offered when booking. The list skips Sundays and days with no free slot.
const daysOffered = 5
// Free times offered by SMS after a reminder is answered with cancel or reschedule.
const timesOffered = 4

const statusLabels: Record<string, Record<Appointment['status'], string>> = {
  en: { booked: 'not confirmed', confirmed: 'confirmed', cancelled: 'cancelled' },
  sw: { booked: 'haijathibitishwa', confirmed: 'imethibitishwa', cancelled: 'imeghairiwa' },
}

/** Describes an appointment for the flow: its day, time and status in the caller's language. */
function describeAppointment(appointment: Appointment, language: string) {
  const labels = statusLabels[language] ?? statusLabels['en']
  return {
    reference: appointment.reference,
    clinicName: clinicData.clinic(appointment.clinicId).name,
    dayLabel: formatDay(appointment.date, language),
    timeLabel: formatTime(appointment.time, language),
    statusLabel: labels?.[appointment.status] ?? appointment.status,
  }
}

export const tasks: Record<string, Task> = {
  loadAppointment: async ({ context, msisdn }) => {
    const appointment = clinicData.upcomingAppointment(msisdn)
    if (appointment === undefined) return null
    return describeAppointment(appointment, contextLanguage(context))
  },

  loadClinics: async () => clinics.map((clinic) => ({ id: clinic.id, name: clinic.name })),

  loadDays: async ({ context }) => {
    const language = contextLanguage(context)
    const days = clinicData.openDays(contextString(context, 'clinic.id'), daysOffered)
    return days.map((date) => ({ date, label: formatDay(date, language) }))
  },

  loadSlots: async ({ context }) => {
    const language = contextLanguage(context)
    const clinicId = contextString(context, 'clinic.id')
    const times = clinicData.freeSlots(clinicId, contextString(context, 'day.date'))
    return times.map((time) => ({ time, label: formatTime(time, language) }))
  },

  bookAppointment: async ({ context, msisdn, idempotencyKey }) => {
    const appointment = clinicData.book({
      msisdn,
      clinicId: contextString(context, 'clinic.id'),
      date: contextString(context, 'day.date'),
      time: contextString(context, 'slot.time'),
      idempotencyKey,
    })
    return { reference: appointment.reference }
  },

  confirmAppointment: async ({ context, msisdn }) => {
    const reference = contextString(context, 'appointment.reference')
    const appointment = clinicData.updateAppointment(msisdn, reference, 'confirmed')
    return describeAppointment(appointment, contextLanguage(context))
  },

  cancelAppointment: async ({ context, msisdn }) => {
    const reference = contextString(context, 'appointment.reference')
    const appointment = clinicData.updateAppointment(msisdn, reference, 'cancelled')
    return describeAppointment(appointment, contextLanguage(context))
  },

  // The reminder flow (clinic-reminder.flow.yaml) names its appointment by `reference`.
  confirmReminded: async ({ context, msisdn }) => {
    const reference = contextString(context, 'reference')
    const appointment = clinicData.updateAppointment(msisdn, reference, 'confirmed')
    return describeAppointment(appointment, contextLanguage(context))
  },

  cancelReminded: async ({ context, msisdn }) => {
    const reference = contextString(context, 'reference')
    const appointment = clinicData.updateAppointment(msisdn, reference, 'cancelled')
    return describeAppointment(appointment, contextLanguage(context))
  },

  loadFreeTimes: async ({ context, msisdn }) => {
    const language = contextLanguage(context)
    const appointment = clinicData.appointment(msisdn, contextString(context, 'reference'))
    const slots = clinicData.nextFreeSlots(appointment.clinicId, timesOffered, appointment)
    return slots.map((slot) => ({
      ...slot,
      label: `${formatDay(slot.date, language)} ${formatTime(slot.time, language)}`,
    }))
  },

  bookFreeTime: async ({ context, msisdn, idempotencyKey }) => {
    const cancelled = clinicData.appointment(msisdn, contextString(context, 'reference'))
    const appointment = clinicData.book({
      msisdn,
      clinicId: cancelled.clinicId,
      date: contextString(context, 'newTime.date'),
      time: contextString(context, 'newTime.time'),
      idempotencyKey,
    })
    return { reference: appointment.reference }
  },

  moveAppointment: async ({ context, msisdn, idempotencyKey }) => {
    const appointment = clinicData.reschedule({
      msisdn,
      reference: contextString(context, 'reference'),
      date: contextString(context, 'newTime.date'),
      time: contextString(context, 'newTime.time'),
      idempotencyKey,
    })
    return { reference: appointment.reference }
  },

  // NOTE: a question typed on USSD or recorded on the voice line goes to the example backend, not
  // to the nurses' team queue; tasks cannot reach the RulesRouter yet (it takes channel ussd/voice).
  askNurse: async ({ context, msisdn, idempotencyKey }) => {
    const question = clinicData.ask({
      msisdn,
      age: contextNumber(context, 'age'),
      question: contextString(context, 'question'),
      idempotencyKey,
    })
    return { reference: question.reference }
  },
}
