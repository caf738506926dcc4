import { describe, expect, it } from 'vitest';
import { customerSubject, plausibleName } from '../../templates/customer-view.js';
import { renderCaseMail } from '../../templates/index.js';
import { mailSamples } from '../../templates/samples.js';

describe('what our mail repeats to the address a sender gave (no phishing relay)', () => {
  it.each([
    ['Erika Müller', 'Erika Müller'],
    ['Dr. Hans-Peter von Bülow', 'Dr. Hans-Peter von Bülow'],
    ['Muster & Söhne GmbH', 'Muster & Söhne GmbH'],
    ['Ihr Konto ist gesperrt: https://evil.example/login', undefined],
    ['Bitte www.evil.example besuchen', undefined],
    ['Support evil.example', undefined],
    ['admin@bank.example', undefined],
    ['Erika\r\nBcc: victim@example.test', undefined],
    ['x'.repeat(61), undefined],
    ['', undefined],
  ])('greets %j as %j', (name, expected) => {
    expect(plausibleName(name)).toBe(expected);
  });

  it('cuts the echoed subject and removes links from it', () => {
    expect(customerSubject('Toaster defekt')).toBe('Toaster defekt');
    expect(customerSubject('Ihr Konto: https://evil.example/x jetzt prüfen')).toBe('Ihr Konto: […] jetzt prüfen');
    const long = customerSubject('Sehr '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('…')).toBe(true);
  });

  it('sends a forged sender our acknowledgment without their display name or link', async () => {
    const ack = mailSamples().find((s) => s.request.kind === 'acknowledgment' && s.request.case.language === 'de')!;
    const evil = 'Sicherheitsteam: Konto gesperrt, melden Sie sich an unter https://evil.example/login';
    const mail = await renderCaseMail({
      ...ack.request,
      case: {
        ...ack.request.case,
        customer: { name: evil, address: 'opfer@example.test' },
        subject: 'Dringend: https://evil.example/login bestätigen',
      },
    });
    expect(mail.text).toContain('Guten Tag,');
    expect(`${mail.subject}\n${mail.text}\n${mail.html}`).not.toContain('evil.example');
  });
});
