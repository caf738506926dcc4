/**
 * The value types of the configuration, each validated with zod and explained in its message: durations, ports,
 * flags (`z.stringbool`, never `Boolean(str)`), address lines, rates "N/period", and secrets (random bytes only).
 */
import ms from 'ms';
import { z } from 'zod';

/** A duration like "30s", "4h", "3d" (ms syntax), as milliseconds. */
export const ZDuration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration like 30s, 4h or 3d` });
    return z.NEVER;
  }
  return parsed;
});

export const ZPort = z.coerce.number().int().min(0).max(65535);
export const ZFlag = z.stringbool();
export const ZAddressLine = z
  .string()
  .refine((v) => /^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(v.trim()), {
    message: 'must be an address like "Kundenservice <support@example.test>"',
  });

export const KEY32_RULE =
  'must be 32 random bytes written as 64 hex digits or 44 base64 characters (openssl rand -hex 32)';

/** 32 bytes from 64 hex digits or 44 base64 characters; undefined for anything else. */
export function key32(s: string): Buffer | undefined {
  const bytes = /^[0-9a-fA-F]{64}$/.test(s)
    ? Buffer.from(s, 'hex')
    : /^[A-Za-z0-9+/]{43}=$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s
      ? Buffer.from(s, 'base64')
      : undefined;
  // 32 random bytes have about 30 distinct values (fewer than 16: p < 1e-12); a key typed by hand such as
  // "aaaa…" or a repeated "0123456789abcdef" has far fewer. Refused, as it was never random.
  return bytes && new Set(bytes).size >= 16 ? bytes : undefined;
}

export const ZKey32 = z.string().transform((v, ctx) => {
  const key = key32(v.trim());
  if (!key) {
    ctx.addIssue({ code: 'custom', message: KEY32_RULE });
    return z.NEVER;
  }
  return key;
});

/** PAYLOAD_KEY while encryption is on, CODEC_AUTH_TOKEN with a codec endpoint: never derived, never defaulted. */
export function requiredKeys(
  e: { PAYLOAD_ENCRYPTION?: boolean; PAYLOAD_KEY?: Buffer; CODEC_PORT?: number; CODEC_AUTH_TOKEN?: Buffer },
  ctx: z.RefinementCtx,
): void {
  if (e.PAYLOAD_ENCRYPTION !== false && e.PAYLOAD_KEY === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['PAYLOAD_KEY'],
      message: `required while PAYLOAD_ENCRYPTION is on; ${KEY32_RULE}`,
    });
  if (e.CODEC_PORT !== undefined && e.CODEC_AUTH_TOKEN === undefined)
    ctx.addIssue({ code: 'custom', path: ['CODEC_AUTH_TOKEN'], message: `required with CODEC_PORT; ${KEY32_RULE}` });
}

/** "N/period", e.g. 5/1h: at most N within the period. */
export function ZRate(example: string) {
  return z
    .string()
    .regex(/^\d+\/\S+$/, `must look like ${example}`)
    .transform((v, ctx) => {
      const [max, period] = v.split('/') as [string, string];
      const windowMs = ZDuration.safeParse(period);
      if (!windowMs.success) {
        ctx.addIssue({ code: 'custom', message: `"${period}" is not a duration like 1h` });
        return z.NEVER;
      }
      return { max: Number(max), windowMs: windowMs.data };
    });
}

/** At least 32 random bytes, written as hex (64+ digits) or base64 (44+ characters), e.g. `openssl rand -hex 32`. */
export const ZLinkSecret = z
  .string()
  .refine(
    (s) =>
      /^(?:[0-9a-fA-F]{2}){32,}$/.test(s) ||
      (/^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(s) && Buffer.from(s, 'base64').length >= 32),
    'must be at least 32 bytes, random, written as hex or base64 (openssl rand -hex 32)',
  );

/** A host on this machine's loopback, where plain text does not cross a network. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
