import { BlockList, isIP } from 'node:net';
import { KeelError } from '../../model/index.ts';

/**
 * The API's IP allow-list (`api.allow`): IPv4 and IPv6 networks in CIDR form (`10.0.0.0/8`, `fd00::/8`) and
 * single addresses (`192.168.1.20`, `::1`). A request from any other address is refused before a route runs.
 * An IPv4 client reaching a dual-stack listener shows up as `::ffff:a.b.c.d`; it is matched as the IPv4
 * address it is.
 */
export interface AllowList {
  /** Whether `address` (a socket's peer address) may connect. */
  allows(address: string): boolean;
  /** The entries as configured, for messages. */
  readonly entries: readonly string[];
}

/**
 * Parse the configured entries; a bad one is a KeelError naming `field[i]` and the value.
 *
 * @example parseAllowList(['127.0.0.1', '10.0.0.0/8', '::1'], 'keel.yaml: api.allow').allows('10.2.3.4') // true
 */
export function parseAllowList(entries: readonly string[], field: string): AllowList {
  const list = new BlockList();
  entries.forEach((raw, i) => {
    const entry = raw.trim();
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
    const address = m?.[1] ?? '';
    const version = isIP(address);
    const bad = (why: string) => new KeelError('BAD_RUN_CONFIG', why, { field: `${field}[${i}]`, value: raw, hint: 'e.g. 10.0.0.0/8, 192.168.1.20, fd00::/8 or ::1' });
    if (!m || version === 0) throw bad('is not an IP address or CIDR network');
    const type = version === 4 ? 'ipv4' : 'ipv6';
    if (m[2] === undefined) {
      list.addAddress(address, type);
      return;
    }
    const prefix = Number(m[2]);
    if (prefix > (version === 4 ? 32 : 128)) throw bad(`has a prefix longer than an ${type.toUpperCase()} address (/${prefix})`);
    list.addSubnet(address, prefix, type);
  });
  return {
    entries: [...entries],
    allows(address: string): boolean {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      if (mapped) return list.check(mapped[1], 'ipv4');
      const version = isIP(address);
      if (version === 0) return false;
      return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
