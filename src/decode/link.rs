//! Link layers: Ethernet (with any number of 802.1Q / 802.1ad / QinQ tags),
//! Linux SLL and SLL2, BSD null/loopback, raw IP.

use super::capture::LinkType;

/// EtherType IPv4.
pub(crate) const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType IPv6.
pub(crate) const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88A8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
const ETHERTYPE_QINQ_OLD2: u16 = 0x9200;
/// At most this many VLAN tags are peeled.
const MAX_VLAN_TAGS: usize = 8;

/// The network-layer content of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Network<'a> {
    /// An IPv4 packet.
    Ipv4(&'a [u8]),
    /// An IPv6 packet.
    Ipv6(&'a [u8]),
    /// Something else (ARP, LLC, an unknown address family, …).
    Other,
}

/// The frame cannot be decoded at the link layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkError {
    /// Shorter than the link header.
    Truncated,
    /// A link type we do not decode.
    Unsupported(LinkType),
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

/// Strip the link header of a frame of type `link`.
pub(crate) fn network_layer(link: LinkType, data: &[u8]) -> Result<Network<'_>, LinkError> {
    match link {
        LinkType::ETHERNET => {
            let ethertype = be16(data, 12).ok_or(LinkError::Truncated)?;
            by_ethertype(ethertype, data.get(14..).ok_or(LinkError::Truncated)?)
        }
        LinkType::LINUX_SLL => {
            let proto = be16(data, 14).ok_or(LinkError::Truncated)?;
            by_ethertype(proto, data.get(16..).ok_or(LinkError::Truncated)?)
        }
        LinkType::LINUX_SLL2 => {
            let proto = be16(data, 0).ok_or(LinkError::Truncated)?;
            by_ethertype(proto, data.get(20..).ok_or(LinkError::Truncated)?)
        }
        LinkType::NULL | LinkType::LOOP => {
            let fam = data.first_chunk::<4>().ok_or(LinkError::Truncated)?;
            // Host byte order of the capturing machine (NULL) or network
            // order (LOOP); families are small, so whichever reading is small wins.
            let le = u32::from_le_bytes(*fam);
            let family = if le > 0xFFFF { le.swap_bytes() } else { le };
            let payload = data.get(4..).ok_or(LinkError::Truncated)?;
            Ok(match family {
                2 => Network::Ipv4(payload),
                // Linux 10, Windows 23, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30.
                10 | 23 | 24 | 28 | 30 => Network::Ipv6(payload),
                _ => Network::Other,
            })
        }
        LinkType::RAW | LinkType::RAW_BSD12 | LinkType::RAW_BSD14 => {
            let first = data.first().ok_or(LinkError::Truncated)?;
            Ok(match first >> 4 {
                4 => Network::Ipv4(data),
                6 => Network::Ipv6(data),
                _ => Network::Other,
            })
        }
        LinkType::IPV4 => Ok(Network::Ipv4(data)),
        LinkType::IPV6 => Ok(Network::Ipv6(data)),
        other => Err(LinkError::Unsupported(other)),
    }
}

/// Dispatch on an EtherType, peeling VLAN tags.
fn by_ethertype(mut ethertype: u16, mut payload: &[u8]) -> Result<Network<'_>, LinkError> {
    for _ in 0..=MAX_VLAN_TAGS {
        match ethertype {
            ETHERTYPE_IPV4 => return Ok(Network::Ipv4(payload)),
            ETHERTYPE_IPV6 => return Ok(Network::Ipv6(payload)),
            ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD | ETHERTYPE_QINQ_OLD2 => {
                // TCI (2 bytes), then the inner EtherType.
                ethertype = be16(payload, 2).ok_or(LinkError::Truncated)?;
                payload = payload.get(4..).ok_or(LinkError::Truncated)?;
            }
            _ => return Ok(Network::Other),
        }
    }
    Ok(Network::Other)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn null_family_both_orders() {
        let le = [2u8, 0, 0, 0, 0x45];
        let be = [0u8, 0, 0, 2, 0x45];
        let v6 = [0u8, 0, 0, 30, 0x60];
        assert_eq!(
            network_layer(LinkType::NULL, &le),
            Ok(Network::Ipv4(&[0x45]))
        );
        assert_eq!(
            network_layer(LinkType::LOOP, &be),
            Ok(Network::Ipv4(&[0x45]))
        );
        assert_eq!(
            network_layer(LinkType::NULL, &v6),
            Ok(Network::Ipv6(&[0x60]))
        );
    }

    #[test]
    fn qinq() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x88, 0xA8, 0, 1, 0x81, 0x00, 0, 2, 0x08, 0x00, 0x45]);
        assert_eq!(
            network_layer(LinkType::ETHERNET, &f),
            Ok(Network::Ipv4(&[0x45]))
        );
        assert_eq!(
            network_layer(LinkType::ETHERNET, &f[..15]),
            Err(LinkError::Truncated)
        );
    }
}
