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
    /// Known peers; those with `connect` are dialled.
    pub peer: Vec<PeerConfig>,
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
            request_timeout: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(5),
            cer_timeout: Duration::from_secs(10),
            accept_only_known: false,
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
    /// The bearer token every `/api/v1` route but health requires (RFC 6750). Without
    /// this key, the environment variable `PLUGHSS_API_TOKEN` gives it. Required when
    /// `listen` is not a loopback address.
    pub token: Option<String>,
}

/// The environment variable that supplies `api.token` when the file does not.
pub const API_TOKEN_ENV: &str = "PLUGHSS_API_TOKEN";

impl Default for ApiConfig {
    /// Serde fills absent keys from here, so `PLUGHSS_API_TOKEN` applies exactly when
    /// `token` is not in the file (or there is no file).
    fn default() -> Self {
        ApiConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: std::env::var(API_TOKEN_ENV).ok().filter(|t| !t.is_empty()),
        }
    }
}

impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
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
        if let Some(t) = &self.api.token
            && (t.trim().is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(ConfigError::Invalid("api.token: must be non-empty, without spaces".into()));
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
        let c = Config::parse("[api]\nlisten = \"0.0.0.0:8080\"\ntoken = \"t0k\"\n").unwrap();
        assert_eq!(c.api.token.as_deref(), Some("t0k"));
        assert!(!format!("{c:?}").contains("t0k"));
        assert!(Config::parse("[api]\nlisten = \"[::1]:8080\"\n").is_ok());
        let e = Config::parse("[api]\ntoken = \"a b\"\n").unwrap_err().to_string();
        assert!(e.contains("api.token"), "{e}");
    }

    #[test]
    fn shipped_example_parses() {
        let text = include_str!("../../plughss.toml");
        Config::parse(text).unwrap();
    }
}
