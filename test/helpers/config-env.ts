/** The smallest valid environment of the configuration (remote mail servers, no Temporal address), for unit tests. */
export const VALID_ENV = {
  IMAP_HOST: 'imap.example.test',
  IMAP_USER: 'support@example.test',
  IMAP_PASSWORD: 'pw',
  SMTP_HOST: 'smtp.example.test',
  SUPPORT_ADDRESS: 'Kundenservice <support@example.test>',
  LINK_SECRET: 'ab'.repeat(32),
  PAYLOAD_KEY: '8f3a1c0e5b7d9f2468ace13579bdf0246813579bdf02468ace13579bdf024681',
} as const;
