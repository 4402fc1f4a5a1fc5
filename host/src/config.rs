//! The TOML configuration (`plughss.toml`). Every field has an embedded default so
//! `plughss serve` runs with no file. Values are validated while deserialising, so a bad
//! value is reported with its line and column by the TOML parser.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the store and caches live; relative store paths are taken from here.
    pub data_dir: Option<PathBuf>,
    pub diameter: DiameterConfig,
    pub api: ApiConfig,
    pub store: StoreConfig,
    pub auc: AucConfig,
    pub plmn: PlmnConfig,
    pub log: LogConfig,
    /// Application plugins: built-ins load by default; an entry with a built-in's name
    /// overrides its settings, a `path` loads a component from a file.
    pub plugin: Vec<PluginConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiameterConfig {
    /// Our Origin-Host (RFC 6733 6.3): a DiameterIdentity, normally an FQDN.
    pub origin_host: Identity,
    /// Our Origin-Realm (RFC 6733 6.4).
    pub origin_realm: Identity,
    /// TCP listen addresses.
    pub listen: Vec<SocketAddr>,
    /// Addresses advertised in Host-IP-Address; empty means the connection's local address.
    pub host_ip_addresses: Vec<std::net::IpAddr>,
    /// Vendor-Id advertised in CER/CEA (RFC 6733 5.3.3); 0 when none is registered.
    pub vendor_id: u32,
    pub product_name: String,
    /// Tw, the RFC 3539 watchdog interval (RFC 3539 3.4.1 recommends 30 s; minimum 6 s
    /// on the wire, but shorter values are accepted for tests).
    #[serde(with = "humantime_serde")]
    pub watchdog_interval: Duration,
    /// Largest message accepted, checked from the header before any allocation.
    pub max_message_size: MessageSize,
    /// Largest first message (the CER, RFC 6733 5.3.1) a connection may send before the
    /// capabilities exchange; a header announcing more closes the connection at once.
    /// Bounds what an unauthenticated connection makes the node buffer. Default 4096; a
    /// CER is usually a few hundred octets. At least 20 (the header); values above
    /// `max_message_size` act as `max_message_size`.
    pub max_cer_size: u32,
    /// Accepted connections open at once, counting those that have not finished the
    /// capabilities exchange; a connection beyond it is closed on accept. Default 1024.
    pub max_connections: u32,
    /// Accepted connections open at once from one remote IPv4 address or IPv6 /64,
    /// counting those that have not finished the capabilities exchange. Default 64.
    pub max_connections_per_address: u32,
    /// How long a request we originate waits for its answer.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// On shutdown: how long in-flight transactions and DPA are awaited.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// How long a new connection may take to send its CER.
    #[serde(with = "humantime_serde")]
    pub cer_timeout: Duration,
    /// Refuse (3010 DIAMETER_UNKNOWN_PEER) any Origin-Host not listed in `peer`.
    pub accept_only_known: bool,
    /// Start even though a `listen` address is not loopback and no allow-list of peers is
    /// in force (an allow-list is `accept_only_known = true` with at least one `peer`).
    /// Without it such a configuration is refused: any host that reaches the port could
    /// exchange capabilities and fetch authentication vectors for any IMSI. Default false; the
    /// `serve` flag `--allow-unknown-peers-off-loopback` sets it too.
    pub allow_unknown_peers_off_loopback: bool,
    /// Known peers; those with `connect` are dialled.
    pub peer: Vec<PeerConfig>,
}

impl DiameterConfig {
    /// Whether an allow-list of peers is in force: `accept_only_known` with at least one
    /// `peer` listed.
    pub fn has_peer_allow_list(&self) -> bool {
        self.accept_only_known && !self.peer.is_empty()
    }

    /// Listen addresses that are not loopback while no allow-list of peers is in force:
    /// what `allow_unknown_peers_off_loopback` has to allow.
    pub fn open_listen_addrs(&self) -> Vec<SocketAddr> {
        if self.has_peer_allow_list() {
            return Vec::new();
        }
        self.listen.iter().filter(|a| !a.ip().is_loopback()).copied().collect()
    }
}

impl Default for DiameterConfig {
    fn default() -> Self {
        DiameterConfig {
            origin_host: Identity("hss.localdomain".into()),
            origin_realm: Identity("localdomain".into()),
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 3868))],
            host_ip_addresses: Vec::new(),
            vendor_id: 0,
            product_name: "PlugHSS".into(),
            watchdog_interval: Duration::from_secs(30),
            max_message_size: MessageSize(64 * 1024),
            max_cer_size: 4096,
            max_connections: 1024,
            max_connections_per_address: 64,
            request_timeout: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(5),
            cer_timeout: Duration::from_secs(10),
            accept_only_known: false,
            allow_unknown_peers_off_loopback: false,
            peer: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerConfig {
    pub host: Identity,
    pub realm: Identity,
    /// Dial this address and keep the connection up (re-dialled with backoff).
    #[serde(default)]
    pub connect: Option<SocketAddr>,
    /// The peer is a Diameter agent (relay or proxy, RFC 6733 2.8) that forwards requests
    /// of other nodes, so its requests may carry any Origin-Host and Origin-Realm. For
    /// any other peer (and any peer not listed) a request whose Origin-Host or
    /// Origin-Realm differs from what the peer said in its CER is refused with 5004
    /// DIAMETER_INVALID_AVP_VALUE. Default false.
    #[serde(default)]
    pub relay: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    pub name: String,
    /// A `.wasm` component; without it, the built-in plugin of this name.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Refuse to load the file unless its SHA-256 (hex) matches.
    #[serde(default)]
    pub sha256: Option<Sha256Pin>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Granted capabilities; for a built-in without this key, what it asks for.
    #[serde(default)]
    pub capabilities: Option<Vec<CapabilityName>>,
    /// Free-form settings handed to the plugin as JSON.
    #[serde(default)]
    pub config: toml::Table,
    #[serde(default)]
    pub limits: PluginLimits,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PluginLimits {
    /// Memory cap per instance: all its linear memories and tables together.
    pub memory_mib: u32,
    /// Time the plugin may take per request or event of its own: running, blocked in
    /// WASI, and waiting for a free instance. Calls to the host (store, AuC, peers)
    /// are excluded. Past it the request is answered 5012 and the instance discarded.
    pub deadline_ms: u32,
    /// Time a request or event may take in all, host calls included (at least
    /// `deadline_ms`): past it the request is answered 5012 and the instance discarded.
    pub timeout_ms: u32,
    /// Optional fuel per request (0 = unmetered). Metering costs a little per call.
    pub fuel: u64,
    /// Warm instances (and concurrent requests) per plugin. A request waiting in a host
    /// call (a store write being made durable, a MongoDB round trip) holds its instance,
    /// so this bounds how many such waits overlap: with 32, a ULR storm on sled was
    /// held to 32 per journal `fdatasync`. Each instance in use costs about 0.5-1.5 MiB.
    pub instances: u32,
}

/// See [`PluginLimits::instances`].
pub const DEFAULT_INSTANCES: u32 = 256;

/// See [`PluginLimits::timeout_ms`]: as long as an HSS-initiated request waits for its
/// answer by default (`diameter.request_timeout`), so a ULR whose CLR to the old MME
/// is slow is still answered.
pub const DEFAULT_TIMEOUT_MS: u32 = 5000;

impl Default for PluginLimits {
    fn default() -> Self {
        PluginLimits {
            memory_mib: 64,
            deadline_ms: 200,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            fuel: 0,
            instances: DEFAULT_INSTANCES,
        }
    }
}

/// A capability name as the configuration spells it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CapabilityName(pub String);

impl TryFrom<String> for CapabilityName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if crate::runtime::capability::parse(&s).is_some() {
            Ok(CapabilityName(s))
        } else {
            Err(format!("unknown capability {s:?}; expected one of {:?}", crate::runtime::capability::ALL))
        }
    }
}

/// A SHA-256 digest in hex.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Sha256Pin(pub String);

impl TryFrom<String> for Sha256Pin {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256Pin(t))
        } else {
            Err("sha256 must be 64 hex digits".into())
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    pub listen: SocketAddr,
    /// The bearer token every `/api/v1` route but health requires (RFC 6750), at least
    /// [`MIN_API_TOKEN_CHARS`] characters. Without this key, the environment variable
    /// `PLUGHSS_API_TOKEN` gives it. Required when `listen` is not a loopback address.
    #[serde(deserialize_with = "api_token")]
    pub token: Option<String>,
    /// Host names the API answers to besides the loopback names (`localhost`,
    /// `127.0.0.1`, `[::1]`) and the IP address of `listen`, on any port. A request whose
    /// `Host` names anything else is refused with 403: a web page that re-points its own
    /// name at this machine (DNS rebinding) sends its own name. Default: none.
    pub allowed_hosts: Vec<HostName>,
    /// Web origins (`scheme://host[:port]`, RFC 6454) whose pages may call the API from a
    /// browser, besides the API's own origin. A request with any other `Origin` is
    /// refused with 403. Default: none.
    pub allowed_origins: Vec<WebOrigin>,
    /// How long a client may take to send a request's headers (and how long an idle
    /// keep-alive connection stays open); then the connection is closed. Default 10 s.
    #[serde(deserialize_with = "header_read_timeout")]
    pub header_read_timeout: Duration,
    /// How long a request's body may take to arrive once its headers have, in all
    /// (trickling does not extend it); then the request is answered 408 and the
    /// connection closed. Default 30 s.
    #[serde(deserialize_with = "body_read_timeout")]
    pub body_read_timeout: Duration,
    /// Connections the API serves at once. Beyond it, new connections wait in the
    /// kernel's listen backlog until one closes (none is refused). Default 256.
    #[serde(deserialize_with = "max_connections")]
    pub max_connections: usize,
}

/// The environment variable that supplies `api.token` when the file does not.
pub const API_TOKEN_ENV: &str = "PLUGHSS_API_TOKEN";

/// The shortest `api.token` accepted: 32 characters, e.g. 16 random bytes in hex
/// (`openssl rand -hex 16`), so the token cannot be guessed by trying.
pub const MIN_API_TOKEN_CHARS: usize = 32;

/// See [`ApiConfig::max_connections`].
pub const DEFAULT_API_MAX_CONNECTIONS: usize = 256;

/// See [`ApiConfig::header_read_timeout`].
pub const DEFAULT_API_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// See [`ApiConfig::body_read_timeout`]: a 10,000-subscriber import (about 5 MB) at
/// 2 Mbit/s.
pub const DEFAULT_API_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for ApiConfig {
    /// Serde fills absent keys from here, so `PLUGHSS_API_TOKEN` applies exactly when
    /// `token` is not in the file (or there is no file).
    fn default() -> Self {
        ApiConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: std::env::var(API_TOKEN_ENV).ok().filter(|t| !t.is_empty()),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            header_read_timeout: DEFAULT_API_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_API_BODY_READ_TIMEOUT,
            max_connections: DEFAULT_API_MAX_CONNECTIONS,
        }
    }
}

impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// Why `token` is not acceptable as an API token, if it is not. The token itself never
/// appears in the reason.
pub fn api_token_problem(token: &str) -> Option<String> {
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("api.token: must be without spaces or control characters".into());
    }
    let n = token.chars().count();
    (n < MIN_API_TOKEN_CHARS).then(|| {
        format!(
            "api.token: {n} characters is too short; use at least {MIN_API_TOKEN_CHARS} \
             (e.g. `openssl rand -hex 16`)"
        )
    })
}

/// `api.token` from the file, checked here so that the TOML parser names its line.
fn api_token<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let token = String::deserialize(d)?;
    match api_token_problem(&token) {
        Some(reason) => Err(serde::de::Error::custom(reason)),
        None => Ok(Some(token)),
    }
}

fn header_read_timeout<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let t: Duration = humantime_serde::deserialize(d)?;
    if t < Duration::from_millis(100) || t > Duration::from_secs(3600) {
        return Err(serde::de::Error::custom("api.header_read_timeout: between 100ms and 1h"));
    }
    Ok(t)
}

fn body_read_timeout<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let t: Duration = humantime_serde::deserialize(d)?;
    if t < Duration::from_millis(100) || t > Duration::from_secs(3600) {
        return Err(serde::de::Error::custom("api.body_read_timeout: between 100ms and 1h"));
    }
    Ok(t)
}

fn max_connections<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = u64::deserialize(d)?;
    match usize::try_from(n) {
        Ok(n @ 1..=65_536) => Ok(n),
        _ => Err(serde::de::Error::custom(format!("api.max_connections: {n} must be between 1 and 65536"))),
    }
}

/// A host name or IP address (RFC 9110 7.2 `uri-host`, without a port), lower-cased;
/// an IPv6 address is kept in brackets, as a `Host` header spells it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct HostName(pub String);

impl TryFrom<String> for HostName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        let bare = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(&t);
        if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
            return Ok(HostName(match ip {
                std::net::IpAddr::V4(v4) => v4.to_string(),
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            }));
        }
        // RFC 1123 2.1 host names: dot-separated labels of letters, digits and hyphens.
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if t.len() <= 253 && t.split('.').all(label_ok) {
            Ok(HostName(t))
        } else {
            Err(format!(
                "allowed_hosts: {s:?} is not a host name or IP address (no port, no wildcard: \
                 any port is accepted)"
            ))
        }
    }
}

/// A web origin as browsers send it in `Origin` (RFC 6454 6.1): `http` or `https`, a
/// host and an optional port; lower-cased, with the scheme's default port dropped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct WebOrigin(pub String);

impl WebOrigin {
    /// The serialised origin of `text`, or None when it is not one (`null`, a path, a
    /// user name, another scheme).
    pub fn parse(text: &str) -> Option<WebOrigin> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return None;
        }
        let authority: axum::http::uri::Authority = rest.parse().ok()?;
        let host = HostName::try_from(authority.host().to_owned()).ok()?;
        Some(WebOrigin(match authority.port_u16() {
            Some(p) if p != default_port => format!("{scheme}://{}:{p}", host.0),
            _ => format!("{scheme}://{}", host.0),
        }))
    }
}

impl TryFrom<String> for WebOrigin {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        WebOrigin::parse(s.trim()).ok_or_else(|| {
            format!(
                "allowed_origins: {s:?} is not an origin; write scheme://host[:port], e.g. \
                     \"https://ops.example.net\""
            )
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct StoreConfig {
    /// A built-in store by name ("sled", "csv"), or any name when `plugin` is given.
    pub backend: String,
    /// A store plugin (shared library) to load instead of a built-in.
    pub plugin: Option<PathBuf>,
    /// Subscriber profiles the host keeps in memory for the plugins (a ULR then reads
    /// no store), for stores that are the only writer of their data (sled, CSV); 0
    /// reads the store every time. About 1 KiB each.
    pub profile_cache: usize,
    /// Backend settings (e.g. `path`, `uri`, `database`), passed to the store as JSON.
    #[serde(flatten)]
    pub settings: toml::Table,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            backend: "sled".into(),
            plugin: None,
            profile_cache: 100_000,
            settings: toml::Table::new(),
        }
    }
}

/// SQN policy of the AuC (TS 33.102 Annex C).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AucConfig {
    /// Width of IND in SQN = SEQ || IND (Annex C.3.2 suggests 5).
    pub ind_bits: u8,
    /// The IND this node puts in every SQN; give each node sharing a store its own.
    pub ind: u32,
    /// SEQ values reserved per store round trip. A crash skips at most two blocks of a
    /// subscriber's SEQ values, far inside the USIM's tolerance for a jump forward
    /// (Δ, TS 33.102 C.2.2, suggested 2^28); larger blocks mean fewer durable store
    /// writes under load.
    pub sqn_block: u32,
    /// Subscribers whose keys and SQN the AuC keeps in memory, for stores that are the
    /// only writer of their data (sled, CSV); 0 reads the store on every request.
    /// About 150 bytes each.
    pub key_cache: usize,
}

impl Default for AucConfig {
    fn default() -> Self {
        AucConfig { ind_bits: 5, ind: 0, sqn_block: 1024, key_cache: 1 << 20 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlmnConfig {
    pub mcc: Mcc,
    pub mnc: Mnc,
}

impl Default for PlmnConfig {
    fn default() -> Self {
        PlmnConfig { mcc: Mcc("001".into()), mnc: Mnc("01".into()) }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// "text" or "json".
    pub format: LogFormat,
    /// A tracing filter (`RUST_LOG` syntax); `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: LogFormat::Text, level: "info".into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A DiameterIdentity (RFC 6733 4.3.1): non-empty, printable ASCII, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Identity(pub String);

impl TryFrom<String> for Identity {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("{s:?} is not a DiameterIdentity (non-empty FQDN-like ASCII, no spaces)"));
        }
        Ok(Identity(s))
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Mobile Country Code: three digits (ITU-T E.212).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Mcc(pub String);

impl TryFrom<String> for Mcc {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Mcc(s))
        } else {
            Err(format!("mcc {s:?} must be exactly 3 digits"))
        }
    }
}

/// Mobile Network Code: two or three digits (ITU-T E.212).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Mnc(pub String);

impl TryFrom<String> for Mnc {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Mnc(s))
        } else {
            Err(format!("mnc {s:?} must be 2 or 3 digits"))
        }
    }
}

/// Maximum Diameter message size in octets: at least the 20-octet header, at most the
/// 24-bit length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u64")]
pub struct MessageSize(pub usize);

impl TryFrom<u64> for MessageSize {
    type Error = String;
    fn try_from(n: u64) -> Result<Self, String> {
        if (20..=0x00ff_ffff).contains(&n) {
            Ok(MessageSize(n as usize))
        } else {
            Err(format!("max_message_size {n} must be between 20 and 16777215"))
        }
    }
}

/// A configuration problem, printed as the reason start-up stopped.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: Box<toml::de::Error> },
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Reads and validates a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse { path: path.to_owned(), source },
            other => other,
        })
    }

    /// Parses TOML text; errors carry the line and column of the key at fault.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text)
            .map_err(|e| ConfigError::Parse { path: PathBuf::from("<config>"), source: Box::new(e) })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Cross-field rules that a single value's type cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.diameter.listen.is_empty() {
            return Err(ConfigError::Invalid("diameter.listen: at least one address is required".into()));
        }
        // The API's rule (api.token off loopback), applied to Diameter: a port other hosts
        // can reach needs an allow-list of peers, or the operator's explicit consent.
        let open = self.diameter.open_listen_addrs();
        if let Some(a) = open.first()
            && !self.diameter.allow_unknown_peers_off_loopback
        {
            return Err(ConfigError::Invalid(format!(
                "diameter.listen: {a} is not a loopback address and there is no peer allow-list, so any \
                 host reaching it could fetch authentication vectors; list the peers under \
                 [[diameter.peer]] and set diameter.accept_only_known = true, or set \
                 diameter.allow_unknown_peers_off_loopback = true (serve \
                 --allow-unknown-peers-off-loopback) to accept unknown peers knowingly, or listen on \
                 127.0.0.1"
            )));
        }
        let d = &self.diameter;
        if d.max_cer_size < 20 {
            return Err(ConfigError::Invalid("diameter.max_cer_size: at least 20 (the header)".into()));
        }
        if d.max_connections == 0 || d.max_connections_per_address == 0 {
            return Err(ConfigError::Invalid(
                "diameter.max_connections and diameter.max_connections_per_address: at least 1".into(),
            ));
        }
        if self.auc.ind_bits > 10 {
            return Err(ConfigError::Invalid("auc.ind_bits: at most 10".into()));
        }
        if u64::from(self.auc.ind) >= 1u64 << self.auc.ind_bits {
            return Err(ConfigError::Invalid(format!(
                "auc.ind: must be below 2^ind_bits = {}",
                1u64 << self.auc.ind_bits
            )));
        }
        if self.auc.sqn_block == 0 || self.auc.sqn_block > 100_000 {
            return Err(ConfigError::Invalid("auc.sqn_block: between 1 and 100000".into()));
        }
        // A token from the file was checked while parsing; this catches PLUGHSS_API_TOKEN.
        if let Some(reason) = self.api.token.as_deref().and_then(api_token_problem) {
            return Err(ConfigError::Invalid(format!(
                "{reason} (the file's [api] token or {API_TOKEN_ENV})"
            )));
        }
        if !self.api.listen.ip().is_loopback() && self.api.token.is_none() {
            return Err(ConfigError::Invalid(format!(
                "api.listen: {} is not a loopback address; set api.token (or {API_TOKEN_ENV}) so that \
                 the API requires a bearer token, or listen on 127.0.0.1",
                self.api.listen
            )));
        }
        if self.diameter.watchdog_interval < Duration::from_millis(100) {
            return Err(ConfigError::Invalid("diameter.watchdog_interval: must be at least 100ms".into()));
        }
        let mut names = std::collections::HashSet::new();
        for (i, p) in self.plugin.iter().enumerate() {
            if !names.insert(&p.name) {
                return Err(ConfigError::Invalid(format!("plugin[{i}].name: {} is listed twice", p.name)));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in self.diameter.peer.iter().enumerate() {
            if !seen.insert(&p.host.0) {
                return Err(ConfigError::Invalid(format!(
                    "diameter.peer[{i}].host: {} is listed twice",
                    p.host
                )));
            }
        }
        Ok(())
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| PathBuf::from("plughss-data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_embedded_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.diameter.listen, vec!["127.0.0.1:3868".parse().unwrap()]);
        assert_eq!(c.api.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(c.diameter.max_message_size.0, 65536);
        assert_eq!(c.data_dir(), PathBuf::from("plughss-data"));
    }

    #[test]
    fn bad_value_names_line_and_key() {
        let e = Config::parse("[diameter]\norigin_host = \"hss\"\nlisten = [\"nonsense\"]\n").unwrap_err();
        let s = e.to_string();
        assert!(s.contains("line 3"), "{s}");
        assert!(s.contains("listen") || s.contains("socket address"), "{s}");
        let e = Config::parse("[plmn]\nmcc = \"01\"\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("3 digits"), "{e}");
    }

    #[test]
    fn unknown_key_is_rejected() {
        let e = Config::parse("[diameter]\norigin_hots = \"x\"\n").unwrap_err().to_string();
        assert!(e.contains("origin_hots") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn api_token_is_required_off_loopback() {
        let e = Config::parse("[api]\nlisten = \"0.0.0.0:8080\"\n").err().map(|e| e.to_string());
        // PLUGHSS_API_TOKEN may be set in the environment running the tests.
        if std::env::var(API_TOKEN_ENV).is_err() {
            let e = e.unwrap_or_default();
            assert!(e.contains("api.listen") && e.contains("api.token"), "{e}");
        }
        let token = "t0k-5b0c1d8e6f3a2947b1c0d9e8f7a6b5c4";
        let c = Config::parse(&format!("[api]\nlisten = \"0.0.0.0:8080\"\ntoken = \"{token}\"\n")).unwrap();
        assert_eq!(c.api.token.as_deref(), Some(token));
        assert!(!format!("{c:?}").contains(token));
        assert!(Config::parse("[api]\nlisten = \"[::1]:8080\"\n").is_ok());
        let e = Config::parse("[api]\ntoken = \"a b\"\n").unwrap_err().to_string();
        assert!(e.contains("api.token") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn short_api_token_is_refused_naming_its_line() {
        let e = Config::parse("[api]\nlisten = \"127.0.0.1:8080\"\ntoken = \"change-me\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("api.token") && e.contains("at least 32"), "{e}");
        let exactly = "0123456789abcdef0123456789abcdef";
        assert!(Config::parse(&format!("[api]\ntoken = \"{exactly}\"\n")).is_ok());
        let mut c = Config::default();
        c.api.token = Some(exactly[1..].to_owned());
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("31 characters") && e.contains(API_TOKEN_ENV), "{e}");
    }

    #[test]
    fn api_limits_and_allow_lists() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.api.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.api.max_connections, 256);
        assert!(c.api.allowed_hosts.is_empty() && c.api.allowed_origins.is_empty());
        let c = Config::parse(
            "[api]\nheader_read_timeout = \"1s\"\nmax_connections = 2\n\
             allowed_hosts = [\"HSS.Example.net\", \"10.0.0.7\", \"::1\"]\n\
             allowed_origins = [\"https://Ops.example.net:443/\", \"http://10.0.0.7:8080\"]\n",
        )
        .unwrap();
        assert_eq!(c.api.header_read_timeout, Duration::from_secs(1));
        assert_eq!(c.api.max_connections, 2);
        let hosts: Vec<&str> = c.api.allowed_hosts.iter().map(|h| h.0.as_str()).collect();
        assert_eq!(hosts, ["hss.example.net", "10.0.0.7", "[::1]"]);
        let origins: Vec<&str> = c.api.allowed_origins.iter().map(|o| o.0.as_str()).collect();
        assert_eq!(origins, ["https://ops.example.net", "http://10.0.0.7:8080"]);
        for (text, line, what) in [
            ("[api]\nmax_connections = 0\n", "line 2", "max_connections"),
            ("[api]\n\nheader_read_timeout = \"0s\"\n", "line 3", "header_read_timeout"),
            ("[api]\nallowed_hosts = [\"hss.example.net:8080\"]\n", "line 2", "allowed_hosts"),
            ("[api]\nallowed_hosts = [\"*.example.net\"]\n", "line 2", "allowed_hosts"),
            ("[api]\nallowed_origins = [\"https://ops.example.net/ui\"]\n", "line 2", "allowed_origins"),
            ("[api]\nallowed_origins = [\"null\"]\n", "line 2", "allowed_origins"),
            ("[api]\nallowed_origins = [\"ftp://ops.example.net\"]\n", "line 2", "allowed_origins"),
        ] {
            let e = Config::parse(text).unwrap_err().to_string();
            assert!(e.contains(line) && e.contains(what), "{text}: {e}");
        }
    }

    #[test]
    fn diameter_off_loopback_needs_an_allow_list_or_consent() {
        let open = "[diameter]\nlisten = [\"0.0.0.0:3868\"]\n";
        let e = Config::parse(open).unwrap_err().to_string();
        assert!(
            e.contains("diameter.listen")
                && e.contains("0.0.0.0:3868")
                && e.contains("accept_only_known")
                && e.contains("allow_unknown_peers_off_loopback"),
            "{e}"
        );
        // accept_only_known without a peer listed is no allow-list either.
        let e = Config::parse(&format!("{open}accept_only_known = true\n")).unwrap_err().to_string();
        assert!(e.contains("diameter.listen"), "{e}");
        // A second listen address off loopback is caught too.
        let two = "[diameter]\nlisten = [\"127.0.0.1:3868\", \"[::]:3868\"]\n";
        assert!(Config::parse(two).unwrap_err().to_string().contains("[::]:3868"));
        let peer = "[[diameter.peer]]\nhost = \"mme.a\"\nrealm = \"r\"\n";
        let c = Config::parse(&format!("{open}accept_only_known = true\n{peer}")).unwrap();
        assert!(c.diameter.has_peer_allow_list() && c.diameter.open_listen_addrs().is_empty());
        let c = Config::parse(&format!("{open}allow_unknown_peers_off_loopback = true\n")).unwrap();
        assert_eq!(c.diameter.open_listen_addrs(), vec!["0.0.0.0:3868".parse().unwrap()]);
        // Loopback needs neither.
        assert!(Config::parse("[diameter]\nlisten = [\"[::1]:3868\"]\n").is_ok());
    }

    #[test]
    fn connection_limits_and_relay_peers() {
        let c = Config::parse("").unwrap();
        let d = &c.diameter;
        assert_eq!((d.max_cer_size, d.max_connections, d.max_connections_per_address), (4096, 1024, 64));
        assert!(Config::parse("[diameter]\nmax_cer_size = 19\n").is_err());
        assert!(Config::parse("[diameter]\nmax_connections = 0\n").is_err());
        assert!(Config::parse("[diameter]\nmax_connections_per_address = 0\n").is_err());
        let c = Config::parse("[[diameter.peer]]\nhost = \"dra.a\"\nrealm = \"r\"\nrelay = true\n").unwrap();
        assert!(c.diameter.peer[0].relay);
    }

    #[test]
    fn shipped_example_parses() {
        let text = include_str!("../../plughss.toml");
        Config::parse(text).unwrap();
    }
}
