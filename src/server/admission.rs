//! Who holds a connection slot: the connection limit, the cap per source
//! address, and which connection makes room for a newcomer.
//!
//! A server on a LAN must keep serving when a peer opens connections and
//! sends nothing. The listener therefore never waits for a free slot (a
//! newcomer waiting in the kernel's backlog is a client locked out): every
//! connection is accepted at once and, when the server or the newcomer's
//! source is at its limit, an existing connection is closed to make room:
//!
//! 1. the one idle longest among those without an SMB session (nothing a
//!    client has invested in is lost, and a connection that never finishes
//!    NEGOTIATE and SESSION_SETUP ages first);
//! 2. else the one idle longest overall.
//!
//! A connection waiting for the pipe handler is never chosen (its client is
//! waiting for us, not idle); if every candidate is busy, the newcomer is
//! the one closed. At the per-source cap the candidates are the source's
//! own connections only, so a flood from one address churns its own slots
//! and never pushes out another client.
//!
//! The table is clock-free: times are milliseconds the caller reads from
//! its clock (tests pass them in).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

/// A source address for the per-source cap: an IPv4 address, or the /64
/// an IPv6 address is in (a host picks any address of its /64 at will).
/// IPv4-mapped IPv6 addresses count as their IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct SourceKey(u128);

impl SourceKey {
    pub(super) fn of(ip: IpAddr) -> SourceKey {
        match ip.to_canonical() {
            IpAddr::V4(v4) => SourceKey(u128::from(u32::from(v4))),
            // Distinct from every IPv4 key (below 2^32): the low 64 bits
            // are all ones.
            IpAddr::V6(v6) => {
                SourceKey((u128::from(v6) & !u128::from(u64::MAX)) | u128::from(u64::MAX))
            }
        }
    }
}

/// One connection's slot, shared between the table and the connection's
/// task (which updates it without taking the table's lock).
#[derive(Debug)]
pub(super) struct Slot {
    id: u64,
    source: SourceKey,
    /// When the connection last completed a message or got an answer
    /// (milliseconds on the caller's clock).
    last_active: AtomicU64,
    /// The connection has an SMB session.
    session: AtomicBool,
    /// A pipe call is outstanding.
    busy: AtomicBool,
    /// Signalled when the table evicts this connection.
    evict: Notify,
}

impl Slot {
    /// Records activity at `now_ms`.
    pub(super) fn touch(&self, now_ms: u64) {
        self.last_active.fetch_max(now_ms, Ordering::Relaxed);
    }

    /// Records whether the connection has a session.
    pub(super) fn set_session(&self, session: bool) {
        self.session.store(session, Ordering::Relaxed);
    }

    /// Records whether a pipe call is outstanding.
    pub(super) fn set_busy(&self, busy: bool) {
        self.busy.store(busy, Ordering::Relaxed);
    }

    /// Resolves once the table has evicted this connection (also when the
    /// eviction happened before the call: the signal is kept).
    pub(super) async fn evicted(&self) {
        self.evict.notified().await;
    }
}

/// What [`Admission::admit`] decided.
#[derive(Debug)]
pub(super) enum Admitted {
    /// The newcomer holds `slot`; `evicted` (if any) was closed to make
    /// room, and `reason` says which limit was reached.
    Yes {
        slot: Arc<Slot>,
        evicted: Option<(Arc<Slot>, Limit)>,
    },
    /// Every candidate was busy: the newcomer is refused.
    No(Limit),
}

/// The limit that made room necessary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Limit {
    /// `max_connections`.
    Total,
    /// `max_connections_per_source`.
    PerSource,
}

/// The slot table.
#[derive(Debug)]
pub(super) struct Admission {
    max_total: usize,
    max_per_source: usize,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    slots: HashMap<u64, Arc<Slot>>,
    per_source: HashMap<SourceKey, usize>,
}

impl Table {
    fn remove(&mut self, slot: &Slot) -> bool {
        if self.slots.remove(&slot.id).is_none() {
            return false;
        }
        if let Some(n) = self.per_source.get_mut(&slot.source) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_source.remove(&slot.source);
            }
        }
        true
    }

    /// The connection to close to make room, among those `eligible`.
    fn victim(&self, eligible: impl Fn(&Slot) -> bool) -> Option<Arc<Slot>> {
        self.slots
            .values()
            .filter(|s| eligible(s) && !s.busy.load(Ordering::Relaxed))
            // No session first, then idle longest; the id breaks ties
            // (older first) so the choice does not depend on hash order.
            .min_by_key(|s| {
                (
                    s.session.load(Ordering::Relaxed),
                    s.last_active.load(Ordering::Relaxed),
                    s.id,
                )
            })
            .cloned()
    }
}

impl Admission {
    /// A table for at most `max_total` connections, at most
    /// `max_per_source` of them from one source (both at least 1).
    pub(super) fn new(max_total: usize, max_per_source: usize) -> Admission {
        let max_total = max_total.max(1);
        Admission {
            max_total,
            max_per_source: max_per_source.clamp(1, max_total),
            table: Mutex::new(Table::default()),
        }
    }

    /// Admits a connection from `source` at `now_ms`, evicting one if a
    /// limit is reached (module docs).
    pub(super) fn admit(&self, source: IpAddr, now_ms: u64) -> Admitted {
        let source = SourceKey::of(source);
        let mut t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        let from_source = t.per_source.get(&source).copied().unwrap_or(0);
        let need = if from_source >= self.max_per_source {
            Some(Limit::PerSource)
        } else if t.slots.len() >= self.max_total {
            Some(Limit::Total)
        } else {
            None
        };
        let evicted = match need {
            None => None,
            Some(limit) => {
                let victim = match limit {
                    Limit::PerSource => t.victim(|s| s.source == source),
                    Limit::Total => t.victim(|_| true),
                };
                let Some(victim) = victim else {
                    return Admitted::No(limit);
                };
                t.remove(&victim);
                victim.evict.notify_one();
                Some((victim, limit))
            }
        };
        let id = t.next_id;
        t.next_id = t.next_id.wrapping_add(1);
        let slot = Arc::new(Slot {
            id,
            source,
            last_active: AtomicU64::new(now_ms),
            session: AtomicBool::new(false),
            busy: AtomicBool::new(false),
            evict: Notify::new(),
        });
        t.slots.insert(id, Arc::clone(&slot));
        *t.per_source.entry(source).or_insert(0) += 1;
        Admitted::Yes { slot, evicted }
    }

    /// Gives `slot` back (a no-op if it was evicted).
    pub(super) fn release(&self, slot: &Slot) {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(slot);
    }

    /// Connections holding a slot.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .slots
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    fn slot(a: Admitted) -> (Arc<Slot>, Option<(u64, Limit)>) {
        match a {
            Admitted::Yes { slot, evicted } => (slot, evicted.map(|(s, l)| (s.id, l))),
            Admitted::No(l) => panic!("refused at {l:?}"),
        }
    }

    #[test]
    fn below_the_limits_nobody_is_evicted() {
        let a = Admission::new(3, 3);
        for i in 0..3 {
            let (s, ev) = slot(a.admit(ip(i), 0));
            assert_eq!((s.id, ev), (u64::from(i), None));
        }
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn at_the_limit_the_longest_idle_without_a_session_goes_first() {
        let a = Admission::new(3, 3);
        let (s0, _) = slot(a.admit(ip(1), 0));
        let (s1, _) = slot(a.admit(ip(2), 10));
        let (s2, _) = slot(a.admit(ip(3), 20));
        s0.set_session(true); // oldest, but has a session
        s1.touch(30); // active since
        let (_, ev) = slot(a.admit(ip(4), 40));
        assert_eq!(ev, Some((s2.id, Limit::Total)));
        // s2 was told.
        block_on(s2.evicted());
        // Then s1 (no session, idle since 30) before s0 (session, idle since 0).
        let (_, ev) = slot(a.admit(ip(5), 50));
        assert_eq!(ev, Some((s1.id, Limit::Total)));
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn with_sessions_everywhere_the_longest_idle_overall_goes() {
        let a = Admission::new(2, 2);
        let (s0, _) = slot(a.admit(ip(1), 0));
        let (s1, _) = slot(a.admit(ip(2), 0));
        s0.set_session(true);
        s1.set_session(true);
        s0.touch(5);
        let (_, ev) = slot(a.admit(ip(3), 10));
        assert_eq!(ev, Some((s1.id, Limit::Total)));
    }

    #[test]
    fn busy_connections_are_never_evicted_and_the_newcomer_is_refused() {
        let a = Admission::new(1, 1);
        let (s0, _) = slot(a.admit(ip(1), 0));
        s0.set_busy(true);
        assert!(matches!(a.admit(ip(2), 100), Admitted::No(Limit::Total)));
        assert_eq!(a.len(), 1);
        s0.set_busy(false);
        let (_, ev) = slot(a.admit(ip(2), 100));
        assert_eq!(ev, Some((s0.id, Limit::Total)));
    }

    #[test]
    fn a_flooding_source_only_evicts_its_own() {
        let a = Admission::new(10, 3);
        let (good, _) = slot(a.admit(ip(9), 0));
        let mut flood = Vec::new();
        for t in 1..=100 {
            let (s, ev) = slot(a.admit(ip(1), t));
            if let Some((id, limit)) = ev {
                assert_eq!(limit, Limit::PerSource);
                assert_ne!(id, good.id);
            }
            flood.push(s);
        }
        assert_eq!(a.len(), 4);
        // The good client never was a candidate even though it is the
        // longest idle connection on the server.
        let (_, ev) = slot(a.admit(ip(1), 200));
        assert_ne!(ev.map(|e| e.0), Some(good.id));
    }

    #[test]
    fn release_frees_the_slot_once() {
        let a = Admission::new(2, 2);
        let (s0, _) = slot(a.admit(ip(1), 0));
        let (s1, _) = slot(a.admit(ip(1), 0));
        a.release(&s0);
        a.release(&s0);
        assert_eq!(a.len(), 1);
        let (_, ev) = slot(a.admit(ip(1), 0));
        assert_eq!(ev, None);
        // An evicted slot's later release does not free someone else's.
        let (_, ev) = slot(a.admit(ip(1), 1));
        assert_eq!(ev, Some((s1.id, Limit::PerSource)));
        a.release(&s1);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn ipv6_sources_are_grouped_by_slash_64_and_mapped_v4_is_v4() {
        let v6 = |s: &str| IpAddr::V6(s.parse::<Ipv6Addr>().unwrap());
        assert_eq!(
            SourceKey::of(v6("2001:db8::1")),
            SourceKey::of(v6("2001:db8::ffff:1234"))
        );
        assert_ne!(
            SourceKey::of(v6("2001:db8::1")),
            SourceKey::of(v6("2001:db8:0:1::1"))
        );
        assert_eq!(SourceKey::of(v6("::ffff:10.0.0.1")), SourceKey::of(ip(1)));
        assert_ne!(SourceKey::of(v6("::a00:1")), SourceKey::of(ip(1)));
    }

    /// Polls a future that is already ready.
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }
}
