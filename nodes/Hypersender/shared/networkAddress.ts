/**
 * Whether a URL's host (as `new URL` normalizes it) names this machine or a private network:
 * localhost, 0.0.0.0, 127/8, 10/8, 100.64/10 (carrier-grade NAT, which VPN meshes such as
 * Tailscale use), 172.16/12, 192.168/16, 169.254/16 (link-local), ::1, ::, fc00::/7 (unique
 * local), fe80::/10 (link-local), and IPv4 written as IPv6 (::ffff:a.b.c.d, ::a.b.c.d,
 * ::ffff:0:a.b.c.d and NAT64's 64:ff9b::a.b.c.d, which URL turns into hex). A name's trailing dot
 * (`localhost.`) names the same host: it is judged without it. Only what the URL itself says: a
 * name is not resolved here.
 */
export function isPrivateHost(hostname: string): boolean {
	const host = hostname
		.replace(/^\[|\]$/g, '')
		.toLowerCase()
		.replace(/\.+$/, '');
	if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::') return true;
	if (/^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host)) return true;
	const embedded = /^(?:::(?:ffff:(?:0:)?)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
	const octets = embedded
		? [parseInt(embedded[1], 16) >> 8, parseInt(embedded[1], 16) & 255, parseInt(embedded[2], 16) >> 8, parseInt(embedded[2], 16) & 255]
		: /^\d+\.\d+\.\d+\.\d+$/.test(host)
			? host.split('.').map(Number)
			: undefined;
	if (!octets) return false;
	const [a, b] = octets;
	return (
		a === 0 ||
		a === 127 ||
		a === 10 ||
		(a === 100 && b >= 64 && b <= 127) ||
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 168) ||
		(a === 169 && b === 254)
	);
}
