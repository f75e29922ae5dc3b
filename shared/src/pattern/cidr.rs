//! CIDR blocks: parsing `{"cidr": "10.0.0.0/24"}` with AWS's reasons, and testing addresses.

use std::net::IpAddr;

use ipnet::IpNet;

use super::ast::Dialect;

/// Parses a CIDR block the way event-ruler's `CIDR.cidr` does, with its reasons.
///
/// A block written with host bits set (`10.0.0.5/24`): AWS keeps the address as written
/// and matches the range `10.0.0.5..=10.0.0.255`, so the aws dialect does too. The
/// default dialect reads it as CIDR notation means it, the whole block `10.0.0.0/24`
/// (as Go's `net.ParseCIDR`, and so Tencent's Go services, have it): a rule on a network
/// should not skip the addresses below the one written.
/// AWS rejects `/32` and `/128` ("must be < 32"); the default dialect accepts them.
pub(crate) fn parse_cidr(text: &str, dialect: Dialect) -> Result<IpNet, String> {
    // Java's String.split drops trailing empty pieces: "10.0.0.0/" has one piece.
    let mut pieces: Vec<&str> = text.split('/').collect();
    while pieces.len() > 1 && pieces.last() == Some(&"") {
        pieces.pop();
    }
    if pieces.len() != 2 {
        return Err("Malformed CIDR, one '/' required".into());
    }
    let bits = parse_java_int(pieces[1])
        .ok_or_else(|| "Malformed CIDR, mask bits must be an integer".to_string())?;
    if bits < 0 {
        return Err("Malformed CIDR, mask bits must not be negative".into());
    }
    let address = parse_ip_literal(pieces[0])?;
    let aws = dialect == Dialect::Aws;
    let prefix = match address {
        IpAddr::V4(_) if aws && bits > 31 => return Err("IPv4 mask bits must be < 32".into()),
        IpAddr::V4(_) if bits > 32 => return Err("IPv4 mask bits must be <= 32".into()),
        IpAddr::V6(_) if aws && bits > 127 => return Err("IPv6 mask bits must be < 128".into()),
        IpAddr::V6(_) if bits > 128 => return Err("IPv6 mask bits must be <= 128".into()),
        _ => u8::try_from(bits).map_err(|_| "Malformed CIDR, mask bits must be an integer")?,
    };
    let net = IpNet::new(address, prefix).map_err(|e| e.to_string())?;
    Ok(if aws { net } else { net.trunc() })
}

/// Whether the leaf string is an IP address inside the block (same family only).
pub(crate) fn cidr_contains(net: &IpNet, leaf: &str) -> bool {
    let Some(address) = ip_of_leaf(leaf) else {
        return false;
    };
    match (net, address) {
        (IpNet::V4(n), IpAddr::V4(a)) => n.addr() <= a && a <= n.broadcast(),
        (IpNet::V6(n), IpAddr::V6(a)) => n.addr() <= a && a <= n.broadcast(),
        _ => false,
    }
}

/// Java's `Integer.parseInt`: an optional sign and decimal digits, fitting an `i32`.
fn parse_java_int(text: &str) -> Option<i32> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The address an event's string is, read as event-ruler reads it (`ipToStringIfPossible`):
/// only text shaped like an address counts (so `::ffff:10.0.0.1`, with dots, is not one),
/// and an IPv4-mapped IPv6 address is the IPv4 address, as Java's `InetAddress` has it.
pub(crate) fn ip_of_leaf(leaf: &str) -> Option<IpAddr> {
    // On the matching path, so without the allocations of `parse_ip_literal`: Rust's
    // parser takes exactly the shapes event-ruler takes, plus IPv6 with a dotted IPv4
    // tail, which event-ruler does not count as an address.
    match leaf.parse::<IpAddr>().ok()? {
        IpAddr::V6(_) if leaf.contains('.') => None,
        address => Some(address.to_canonical()),
    }
}

/// event-ruler only hands strings shaped like an address to the resolver; anything else
/// is "Nonstandard". An IPv4-mapped IPv6 address (`::ffff:a00:1`) comes back as IPv4
/// (`10.0.0.1`), as from Java's resolver: in a pattern, its mask bits then count as IPv4
/// bits.
fn parse_ip_literal(text: &str) -> Result<IpAddr, String> {
    let v4_shaped = {
        let parts: Vec<&str> = text.split('.').collect();
        parts.len() == 4
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let v6_shaped = text.contains(':') && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    if !v4_shaped && !v6_shaped {
        return Err(format!("Nonstandard IP address: {text}"));
    }
    let address: IpAddr = text
        .parse()
        .map_err(|_| format!("Invalid IP address: {text}"))?;
    Ok(address.to_canonical())
}
