//! The `[store]` settings of the MongoDB backend and the driver options made from them.

use std::time::Duration;

use mongodb::options::ClientOptions;
use plughss_plugin_api::store::StoreError;
use serde::Deserialize;

use crate::numbers::invalid;

/// Open5GS's default database name (`mongodb://localhost/open5gs` in its configs).
pub const DEFAULT_DATABASE: &str = "open5gs";

/// The backend's settings, all optional:
///
/// ```toml
/// [store]
/// backend = "mongodb"
/// uri = "mongodb://127.0.0.1:27017"      # any MongoDB connection string
/// database = "open5gs"                   # default: the URI's database, else "open5gs"
/// collection = "subscribers"
/// server_selection_timeout_ms = 1500     # how long an operation waits for a reachable server
/// connect_timeout_ms = 1000
/// operation_timeout_ms = 3000            # hard bound on every round trip
/// ```
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MongoConfig {
    pub uri: String,
    pub database: Option<String>,
    pub collection: String,
    /// Unset: the URI's `serverSelectionTimeoutMS`, else 1500 ms. An operation while no
    /// server is reachable fails after this long (5012 to the MME), where the driver's
    /// own default (30 s) would outlast any Diameter peer's patience.
    pub server_selection_timeout_ms: Option<u64>,
    /// Unset: the URI's `connectTimeoutMS`, else 1000 ms.
    pub connect_timeout_ms: Option<u64>,
    /// Every round trip to the server is abandoned (as `Unavailable`) after this long,
    /// including one to a server that accepted the connection and then hung: the driver
    /// has no socket timeout of its own.
    pub operation_timeout_ms: u64,
    /// Added by the host; unused (MongoDB keeps no local files).
    #[serde(rename = "data_dir")]
    _data_dir: Option<serde_json::Value>,
    /// The `[store]` table's selection keys, read by the host and ignored here; named so
    /// that `deny_unknown_fields` still catches misspelt settings.
    #[serde(rename = "backend")]
    _backend: Option<serde_json::Value>,
    #[serde(rename = "plugin")]
    _plugin: Option<serde_json::Value>,
}

impl Default for MongoConfig {
    fn default() -> Self {
        MongoConfig {
            uri: "mongodb://127.0.0.1:27017".into(),
            database: None,
            collection: "subscribers".into(),
            server_selection_timeout_ms: None,
            connect_timeout_ms: None,
            operation_timeout_ms: 3000,
            _data_dir: None,
            _backend: None,
            _plugin: None,
        }
    }
}

const DEFAULT_SERVER_SELECTION: Duration = Duration::from_millis(1500);
const DEFAULT_CONNECT: Duration = Duration::from_millis(1000);

impl MongoConfig {
    /// Parses the JSON the host hands to `open`; errors name the setting.
    pub fn from_json(v: &serde_json::Value) -> Result<Self, StoreError> {
        let cfg: MongoConfig =
            serde_json::from_value(v.clone()).map_err(|e| invalid("store", e.to_string()))?;
        if cfg.operation_timeout_ms == 0 {
            return Err(invalid("store.operation_timeout_ms", "must be above 0"));
        }
        if cfg.collection.is_empty() {
            return Err(invalid("store.collection", "must not be empty"));
        }
        Ok(cfg)
    }

    pub fn operation_timeout(&self) -> Duration {
        Duration::from_millis(self.operation_timeout_ms)
    }

    /// Driver options: the URI's, with these settings' timeouts where given and PlugHSS's
    /// defaults where neither sets one. Parsing is async only for `mongodb+srv` lookups.
    pub async fn client_options(&self) -> Result<ClientOptions, StoreError> {
        let mut opts = ClientOptions::parse(&self.uri).await.map_err(|e| {
            // The driver's message never repeats the URI, so a password in it stays out of logs.
            invalid("store.uri", format!("not a usable MongoDB connection string: {e}"))
        })?;
        let pick = |setting: Option<u64>, from_uri: Option<Duration>, default: Duration| {
            setting.map(Duration::from_millis).or(from_uri).unwrap_or(default)
        };
        opts.server_selection_timeout = Some(pick(
            self.server_selection_timeout_ms,
            opts.server_selection_timeout,
            DEFAULT_SERVER_SELECTION,
        ));
        opts.connect_timeout = Some(pick(self.connect_timeout_ms, opts.connect_timeout, DEFAULT_CONNECT));
        if opts.app_name.is_none() {
            opts.app_name = Some("plughss".into());
        }
        Ok(opts)
    }

    /// The database: this setting, else the URI's default database, else "open5gs".
    pub fn database_name(&self, opts: &ClientOptions) -> String {
        self.database
            .clone()
            .or_else(|| opts.default_database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.into())
    }
}
