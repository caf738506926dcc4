/** The fixed sample case (company, people, texts, links) the mail and page samples are made of. Pure. */
import type { Approver, DecisionRecord, TLanguage } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import type { MailLinks } from './index.js';

export const COMPANY = {
  name: 'Muster Versand GmbH',
  address: 'Musterstraße 12, 10115 Berlin',
  phone: '+49 30 1234567',
  hours: 'Mo–Fr 09:00–18:00',
  timeZone: 'Europe/Berlin',
};

export const PEOPLE: Record<TLanguage, { customer: string; supervisor: Approver; manager: Approver }> = {
  de: {
    customer: 'Erika Müller',
    supervisor: {
      level: 0,
      role: 'Teamleitung',
      name: 'Sabine Schulz',
      address: 'supervisor@example.test',
      language: 'de',
    },
    manager: {
      level: 1,
      role: 'Geschäftsleitung',
      name: 'Markus Weber',
      address: 'manager@example.test',
      language: 'de',
    },
  },
  en: {
    customer: 'Jane Doe',
    supervisor: { level: 0, role: 'Team Lead', name: 'Alex Smith', address: 'lead@example.test', language: 'en' },
    manager: { level: 1, role: 'Head of Service', name: 'Sam Taylor', address: 'head@example.test', language: 'en' },
  },
};

export const TEXT: Record<
  TLanguage,
  { subject: string; complaint: string; reply: string; note: string; offer: string }
> = {
  de: {
    subject: 'Waschmaschine nach zwei Wochen defekt',
    complaint:
      'Guten Tag,\n\nmeine Waschmaschine „AquaPro 7“ (Bestellung 2026-48113) zeigt seit gestern den Fehler E21. Ich möchte den Kaufpreis von 499 € sofort erstattet bekommen.\n\nMit freundlichen Grüßen\nErika Müller',
    reply: 'Die Seriennummer ist AP7-22-0815. Die Maschine steht im Keller, Sie können sie jederzeit abholen lassen.',
    note: 'Wir erstatten Ihnen den vollen Kaufpreis von 499 € und holen das Gerät kostenlos ab.',
    offer: 'Wir tauschen das Gerät innerhalb von drei Werktagen gegen ein neues aus.',
  },
  en: {
    subject: 'Washing machine broken after two weeks',
    complaint:
      'Hello,\n\nmy washing machine "AquaPro 7" (order 2026-48113) has shown error E21 since yesterday. I want the price of €499 refunded immediately.\n\nBest regards\nJane Doe',
    reply: 'The serial number is AP7-22-0815. The machine is in the basement; you can collect it any time.',
    note: 'We refund the full price of €499 and collect the machine free of charge.',
    offer: 'We will replace the machine with a new one within three working days.',
  },
};

export const LINKS: MailLinks = {
  decide: 'https://nachfass.example.test/decide/SAMPLE.TOKEN',
  followUp: 'https://nachfass.example.test/follow-up/SAMPLE.TOKEN',
  queue: 'https://nachfass.example.test/queue/SAMPLE.TOKEN',
  undo: 'https://nachfass.example.test/undo/SAMPLE.TOKEN',
  rating: [1, 2, 3, 4, 5].map((r) => `https://nachfass.example.test/feedback/SAMPLE-${r}.TOKEN`),
};

export function context(l: TLanguage): CaseMailContext {
  return {
    caseId: 'M8TTV16PCN',
    subject: TEXT[l].subject,
    customer: { name: PEOPLE[l].customer, address: 'kunde@example.test' },
    language: l,
    receivedAt: '2026-11-24T08:12:04.000Z',
    messageId: '<complaint@kunden.example.test>',
    references: [],
    company: COMPANY,
    assessment: {
      urgency: 'high',
      impact: 'high',
      priority: 'P1',
      reasons:
        l === 'de' ? ['urgency: "sofort"', 'impact: "Erstattung"'] : ['urgency: "immediately"', 'impact: "refund"'],
    },
    level: 0,
    promisedBy: '2026-11-25T16:00:00.000Z',
  };
}

export function decision(l: TLanguage, outcome: DecisionRecord['outcome'], by: Approver): DecisionRecord {
  return {
    outcome,
    decidedBy: by.address,
    decidedByName: by.name,
    level: by.level,
    at: '2026-11-24T14:30:00.000Z',
    channel: 'link',
    noteToCustomer: outcome === 'alternative' ? TEXT[l].offer : TEXT[l].note,
  };
}
