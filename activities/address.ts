/** Mail address helpers, in one place. Pure. */

/** Bare address of "Name <addr>" or "addr", lower case. */
export function bareAddress(line: string): string {
  return (line.match(/<([^<>]+)>/)?.[1] ?? line).trim().toLowerCase();
}

/** Domain of an address or address line, lower case; `localhost` when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0
    ? address
        .slice(at + 1)
        .replace(/>.*$/, '')
        .trim()
        .toLowerCase()
    : 'localhost';
}

/** `"Name" <addr>` for a header (quotes and backslashes dropped from the name), or the bare address. */
export function displayAddress(p: { name?: string | undefined; address: string }): string {
  const name = p.name?.replace(/["\\\r\n]/g, '').trim();
  return name ? `"${name}" <${p.address}>` : p.address;
}

/** `local+detail@domain` (RFC 5233 subaddress): reaches the mailbox of `local@domain` where the server supports it. */
export function withDetail(address: string, detail: string): string {
  const bare = bareAddress(address);
  const at = bare.lastIndexOf('@');
  return `${bare.slice(0, at)}+${detail}${bare.slice(at)}`;
}
