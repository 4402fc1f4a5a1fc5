//! AVP dictionary: codes, vendors, data types and flag rules for the base protocol
//! (RFC 6733), S6a/S6d (TS 29.272), Cx/Dx (TS 29.228/29.229), Sh (TS 29.328/29.329)
//! and Rx (TS 29.214), plus the application ids and command codes they use.
//!
//! Each table is sorted by code so look-ups are a binary search; a unit test keeps
//! them sorted and free of duplicates.

pub mod base;
pub mod cx;
pub mod rx;
pub mod s6a;
pub mod sh;

/// Vendor-Id of 3GPP (IANA enterprise number 10415).
pub const VENDOR_3GPP: u32 = 10415;
/// Vendor-Id of ETSI (IANA 13019), used by a few TISPAN AVPs in Cx/Sh.
pub const VENDOR_ETSI: u32 = 13019;

/// The RFC 6733 4.2/4.3 data type of an AVP's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AvpType {
    OctetString,
    Integer32,
    Integer64,
    Unsigned32,
    Unsigned64,
    Float32,
    Float64,
    Grouped,
    Address,
    Time,
    UTF8String,
    DiameterIdentity,
    DiameterURI,
    Enumerated,
    IPFilterRule,
}

impl AvpType {
    /// The exact payload length a fixed-size type must have, if it has one.
    pub const fn fixed_len(self) -> Option<usize> {
        match self {
            AvpType::Integer32
            | AvpType::Unsigned32
            | AvpType::Float32
            | AvpType::Enumerated
            | AvpType::Time => Some(4),
            AvpType::Integer64 | AvpType::Unsigned64 | AvpType::Float64 => Some(8),
            _ => None,
        }
    }
}

/// One AVP definition. `vendor` is 0 for IETF AVPs; a non-zero vendor means the V bit is
/// set on the wire. `mandatory` is the M bit a sender sets by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AvpDef {
    pub name: &'static str,
    pub code: u32,
    pub vendor: u32,
    pub ty: AvpType,
    pub mandatory: bool,
}

impl AvpDef {
    pub const fn new(name: &'static str, code: u32, vendor: u32, ty: AvpType, mandatory: bool) -> AvpDef {
        AvpDef { name, code, vendor, ty, mandatory }
    }

    /// The AVP flag octet a sender writes for this definition.
    pub const fn flags(&self) -> u8 {
        let mut f = 0;
        if self.vendor != 0 {
            f |= crate::diameter::avp_flags::VENDOR;
        }
        if self.mandatory {
            f |= crate::diameter::avp_flags::MANDATORY;
        }
        f
    }
}

/// Application ids (IANA "Application IDs" registry; TS 29.230 7.2 for 3GPP ones).
pub mod app {
    /// Diameter common messages (CER, DWR, DPR).
    pub const COMMON: u32 = 0;
    /// Relay application (RFC 6733 2.4).
    pub const RELAY: u32 = 0xffff_ffff;
    /// S6a/S6d, TS 29.272.
    pub const S6A: u32 = 16_777_251;
    /// Cx/Dx, TS 29.228/29.229.
    pub const CX: u32 = 16_777_216;
    /// Sh, TS 29.328/29.329.
    pub const SH: u32 = 16_777_217;
    /// Rx, TS 29.214.
    pub const RX: u32 = 16_777_236;
    /// SWx, TS 29.273.
    pub const SWX: u32 = 16_777_265;
}

/// Command codes (IANA registry; TS 29.230 7.1 for 3GPP ones).
pub mod cmd {
    // RFC 6733 base
    pub const CAPABILITIES_EXCHANGE: u32 = 257;
    pub const DEVICE_WATCHDOG: u32 = 280;
    pub const DISCONNECT_PEER: u32 = 282;
    pub const RE_AUTH: u32 = 258;
    pub const SESSION_TERMINATION: u32 = 275;
    pub const ABORT_SESSION: u32 = 274;
    // Rx, TS 29.214
    pub const AA: u32 = 265;
    // Cx/Dx, TS 29.229 6.1
    pub const USER_AUTHORIZATION: u32 = 300;
    pub const SERVER_ASSIGNMENT: u32 = 301;
    pub const LOCATION_INFO: u32 = 302;
    pub const MULTIMEDIA_AUTH: u32 = 303;
    pub const REGISTRATION_TERMINATION: u32 = 304;
    pub const PUSH_PROFILE: u32 = 305;
    // Sh, TS 29.329 6.1
    pub const USER_DATA: u32 = 306;
    pub const PROFILE_UPDATE: u32 = 307;
    pub const SUBSCRIBE_NOTIFICATIONS: u32 = 308;
    pub const PUSH_NOTIFICATION: u32 = 309;
    // S6a/S6d, TS 29.272 7.2
    pub const UPDATE_LOCATION: u32 = 316;
    pub const CANCEL_LOCATION: u32 = 317;
    pub const AUTHENTICATION_INFORMATION: u32 = 318;
    pub const INSERT_SUBSCRIBER_DATA: u32 = 319;
    pub const DELETE_SUBSCRIBER_DATA: u32 = 320;
    pub const PURGE_UE: u32 = 321;
    pub const RESET: u32 = 322;
    pub const NOTIFY: u32 = 323;
}

/// All tables, searched in order by [`lookup`].
const TABLES: &[&[AvpDef]] = &[base::TABLE, s6a::TABLE, cx::TABLE, sh::TABLE, rx::TABLE];

/// Finds the definition of AVP `code` from `vendor` (0 for IETF).
///
/// Every AVP of every message is looked up (type checks on receipt, answer checks), so
/// IETF and 3GPP codes below [`INDEXED_CODES`] are found with one array read in an
/// index built at compile time; anything else is searched in the tables.
pub fn lookup(code: u32, vendor: u32) -> Option<&'static AvpDef> {
    let index = match vendor {
        0 => Some(&IETF_INDEX),
        VENDOR_3GPP => Some(&TGPP_INDEX),
        _ => None,
    };
    if let Some(index) = index
        && code < INDEXED_CODES as u32
    {
        let slot = index[code as usize];
        return (slot != NO_SLOT).then(|| &TABLES[(slot >> 12) as usize][(slot & 0xfff) as usize]);
    }
    search(code, vendor)
}

fn search(code: u32, vendor: u32) -> Option<&'static AvpDef> {
    TABLES
        .iter()
        .find_map(|t| t.binary_search_by(|d| (d.vendor, d.code).cmp(&(vendor, code))).ok().map(|i| &t[i]))
}

/// Codes below this are indexed for vendors 0 and 3GPP.
const INDEXED_CODES: usize = 4096;
const NO_SLOT: u16 = u16::MAX;

/// For each code, `table << 12 | row` of its definition in [`TABLES`], or [`NO_SLOT`].
/// The first table that defines a code wins, as in [`search`].
const fn build_index(vendor: u32) -> [u16; INDEXED_CODES] {
    let mut index = [NO_SLOT; INDEXED_CODES];
    let mut t = 0;
    while t < TABLES.len() {
        let table = TABLES[t];
        assert!(table.len() < 0x1000 && TABLES.len() < 0xf);
        let mut row = 0;
        while row < table.len() {
            let d = &table[row];
            if d.vendor == vendor && (d.code as usize) < INDEXED_CODES && index[d.code as usize] == NO_SLOT {
                index[d.code as usize] = ((t as u16) << 12) | row as u16;
            }
            row += 1;
        }
        t += 1;
    }
    index
}

static IETF_INDEX: [u16; INDEXED_CODES] = build_index(0);
static TGPP_INDEX: [u16; INDEXED_CODES] = build_index(VENDOR_3GPP);

/// Finds a definition by its name as the specification spells it (e.g. "Result-Code").
pub fn by_name(name: &str) -> Option<&'static AvpDef> {
    TABLES.iter().flat_map(|t| t.iter()).find(|d| d.name.eq_ignore_ascii_case(name))
}

/// Every definition, for tools and tests.
pub fn all() -> impl Iterator<Item = &'static AvpDef> {
    TABLES.iter().flat_map(|t| t.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    #[test]
    fn the_index_agrees_with_the_tables() {
        for vendor in [0, VENDOR_3GPP, 13019, 5535] {
            for code in 0..5000 {
                let (a, b) = (lookup(code, vendor), search(code, vendor));
                assert_eq!(a.map(|d| d.name), b.map(|d| d.name), "code {code} vendor {vendor}");
            }
        }
        assert!(IETF_INDEX.iter().any(|&s| s != NO_SLOT) && TGPP_INDEX.iter().any(|&s| s != NO_SLOT));
    }

    #[test]
    fn tables_sorted_and_unique() {
        for t in TABLES {
            for w in t.windows(2) {
                assert!(
                    (w[0].vendor, w[0].code) < (w[1].vendor, w[1].code),
                    "{} and {} out of order or duplicated",
                    w[0].name,
                    w[1].name
                );
            }
        }
        // The same (vendor, code) must not be defined in two tables either.
        let mut seen = BTreeMap::new();
        for d in all() {
            if let Some(prev) = seen.insert((d.vendor, d.code), d.name) {
                assert_eq!(prev, d.name, "({}, {}) defined twice", d.vendor, d.code);
            }
        }
    }

    #[test]
    fn well_known_lookups() {
        let rc = lookup(268, 0).expect("Result-Code");
        assert_eq!(rc.name, "Result-Code");
        assert_eq!(rc.ty, AvpType::Unsigned32);
        assert_eq!(by_name("origin-host").map(|d| d.code), Some(264));
        assert_eq!(lookup(1, 0).map(|d| d.name), Some("User-Name"));
        assert!(lookup(268, VENDOR_3GPP).is_none());
    }
}
