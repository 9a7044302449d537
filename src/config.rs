//! The server's configuration: one [`Config`], layered from defaults < a TOML file <
//! `INNOHAKU_*` environment variables < command-line flags, and validated once, at start.
//!
//! Every setting is a row of [`SETTINGS`]: its key in the file (`section.name`), its variable,
//! its flag, its default and whether it is a secret. The rows drive all four sources, the
//! checks (every error names the key and where its value came from) and `innohaku config`,
//! which prints the effective configuration as TOML with secrets redacted. Each source is
//! read into a [`Layer`] of raw text values; the loader takes the environment as a map, so
//! the layering is tested without touching the process's own.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderName;

use crate::http::embed::Origins;
use crate::http::{self, Limits};
use crate::replication::ReplicationOptions;

/// The variable naming the configuration file, when `--config` does not.
pub const CONFIG_VAR: &str = "INNOHAKU_CONFIG";

/// What kind of value a setting takes: how it is checked and how it is printed in TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (a path, an address, a duration such as `10s`).
    Text,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
}

/// One setting.
#[derive(Debug)]
pub struct Setting {
    /// Its key in the file: `name` at the top, `section.name` in a table.
    pub key: &'static str,
    /// Its environment variable.
    pub env: &'static str,
    /// Its flag, without the dashes; `None` for settings only a file or a variable sets.
    pub flag: Option<&'static str>,
    /// Its default, as text; `None` when it is unset by default.
    pub default: Option<&'static str>,
    /// Its kind.
    pub kind: Kind,
    /// Never printed or logged.
    pub secret: bool,
    /// What it does (the flag's help).
    pub help: &'static str,
}

const fn setting(
    key: &'static str,
    env: &'static str,
    flag: Option<&'static str>,
    default: Option<&'static str>,
    kind: Kind,
    help: &'static str,
) -> Setting {
    Setting {
        key,
        env,
        flag,
        default,
        kind,
        secret: false,
        help,
    }
}

/// Every setting, in the order `innohaku config` prints them. docs/configuration.md
/// documents each (a test holds the two together). A new section (the backups' and replicas'
/// `[replication]`, say) is a run of rows with its prefix, and a field of [`Config`].
pub const SETTINGS: &[Setting] = &[
    setting(
        "data_dir",
        "INNOHAKU_DATA_DIR",
        Some("data-dir"),
        Some("index/data"),
        Kind::Text,
        "Data directory: the document store and the index generations.",
    ),
    setting(
        "seed_dir",
        "INNOHAKU_SEED_DIR",
        Some("seed-dir"),
        Some("data/sample"),
        Kind::Text,
        "NDJSON files loaded into an empty store on first start.",
    ),
    setting(
        "http.bind",
        "INNOHAKU_BIND",
        Some("bind"),
        Some("127.0.0.1:8080"),
        Kind::Text,
        "Address to listen on; loopback unless you mean otherwise.",
    ),
    setting(
        "http.allowed_origins",
        "INNOHAKU_ALLOWED_ORIGINS",
        Some("allowed-origins"),
        Some(""),
        Kind::Text,
        "Sites whose pages may call the read API and frame the iframe widget: `*`, or \
         comma-separated origins such as `https://www.kunta.fi`. Default: none but our own.",
    ),
    setting(
        "http.client_ip_header",
        "INNOHAKU_CLIENT_IP_HEADER",
        Some("client-ip-header"),
        None,
        Kind::Text,
        "The header a trusted reverse proxy sets to the client's address (e.g. \
         `x-forwarded-for`; its last entry counts). Only set it behind such a proxy.",
    ),
    setting(
        "auth.admin_key_file",
        "INNOHAKU_ADMIN_KEY_FILE",
        Some("admin-key-file"),
        None,
        Kind::Text,
        "A file holding the admin API key for write endpoints (its first line); without a key \
         the write API is off. Takes precedence over `auth.admin_key`.",
    ),
    Setting {
        secret: true,
        ..setting(
            "auth.admin_key",
            "INNOHAKU_ADMIN_KEY",
            Some("admin-key"),
            None,
            Kind::Text,
            "The admin API key itself. Prefer the variable or `--admin-key-file`: a key given as \
             a flag is visible to every user of the machine in the process list.",
        )
    },
    setting(
        "auth.metrics_key_file",
        "INNOHAKU_METRICS_KEY_FILE",
        Some("metrics-key-file"),
        None,
        Kind::Text,
        "A file holding a key that reads `/metrics` and nothing else (its first line); the \
         admin key reads it too. Takes precedence over `auth.metrics_key`.",
    ),
    Setting {
        secret: true,
        ..setting(
            "auth.metrics_key",
            "INNOHAKU_METRICS_KEY",
            None,
            None,
            Kind::Text,
            "The metrics key itself.",
        )
    },
    setting(
        "limits.max_batch_docs",
        "INNOHAKU_MAX_BATCH_DOCS",
        Some("max-batch-docs"),
        Some("10000"),
        Kind::Integer,
        "Most documents in one all-or-nothing (`?atomic=true`) or JSON-array request, which is \
         held in memory whole; NDJSON streams are unlimited.",
    ),
    setting(
        "limits.max_connections",
        "INNOHAKU_MAX_CONNECTIONS",
        Some("max-connections"),
        Some("512"),
        Kind::Integer,
        "Most connections open at once; keep it below the open-file limit (`ulimit -n`).",
    ),
    setting(
        "limits.header_timeout",
        "INNOHAKU_HEADER_TIMEOUT",
        Some("header-timeout"),
        Some("10s"),
        Kind::Text,
        "How long a request's head may take to arrive; also how long a kept-alive connection \
         may stay idle (e.g. 10s, 500ms).",
    ),
    setting(
        "limits.body_timeout",
        "INNOHAKU_BODY_TIMEOUT",
        Some("body-timeout"),
        Some("30s"),
        Kind::Text,
        "How long a request body may stall; a small body must arrive whole within it.",
    ),
    setting(
        "limits.drain_timeout",
        "INNOHAKU_DRAIN_TIMEOUT",
        Some("drain-timeout"),
        Some("10s"),
        Kind::Text,
        "How long a shutdown waits for requests in flight before exiting.",
    ),
    setting(
        "limits.search_queue",
        "INNOHAKU_SEARCH_QUEUE",
        Some("search-queue"),
        Some("64"),
        Kind::Integer,
        "Read requests admitted beyond those the search threads run; more get 503 at once.",
    ),
    setting(
        "limits.search_wait",
        "INNOHAKU_SEARCH_WAIT",
        Some("search-wait"),
        Some("15ms"),
        Kind::Text,
        "Under overload (reads queueing without a break for 100 ms, CoDel's standing queue), \
         the longest a read may wait for a search thread; one that waited longer gets 503 \
         with `Retry-After` instead of a late answer.",
    ),
    setting(
        "limits.rate_limit",
        "INNOHAKU_RATE_LIMIT",
        Some("rate-limit"),
        Some("off"),
        Kind::Text,
        "Requests each client may make to the public endpoints, e.g. `20/s` or `20/s,40` (a \
         burst of 40); `off` for no limit.",
    ),
    setting(
        "replication.follow",
        "INNOHAKU_FOLLOW",
        Some("follow"),
        None,
        Kind::Text,
        "Serve as a read-only replica of the snapshots at this location (a directory, \
         `file:///dir` or `s3://bucket/prefix`): writes are refused, `/readyz` is 503 until \
         the first snapshot is in (docs/operations.md).",
    ),
    setting(
        "replication.follow_interval",
        "INNOHAKU_FOLLOW_INTERVAL",
        Some("follow-interval"),
        Some("30s"),
        Kind::Text,
        "How often a replica looks for a newer snapshot: the bound on how stale it may be, \
         beside the primary's snapshot interval.",
    ),
    setting(
        "replication.follow_max_rate",
        "INNOHAKU_FOLLOW_MAX_RATE",
        Some("follow-max-rate"),
        None,
        Kind::Integer,
        "The most bytes per second a replica downloads (unlimited when unset).",
    ),
    setting(
        "replication.snapshot_to",
        "INNOHAKU_SNAPSHOT_TO",
        Some("snapshot-to"),
        None,
        Kind::Text,
        "Where this server publishes snapshots (a directory, `file:///dir` or \
         `s3://bucket/prefix`; S3 credentials and endpoint from the usual `AWS_*` variables): \
         the target of `POST /v1/snapshots` and of the interval.",
    ),
    setting(
        "replication.snapshot_interval",
        "INNOHAKU_SNAPSHOT_INTERVAL",
        Some("snapshot-interval"),
        None,
        Kind::Text,
        "Publish a snapshot at this interval (e.g. 5m) when anything changed, and at start; \
         unset: only when asked.",
    ),
    setting(
        "replication.snapshot_keep",
        "INNOHAKU_SNAPSHOT_KEEP",
        Some("snapshot-keep"),
        Some("5"),
        Kind::Integer,
        "How many snapshots to keep at the location; older ones are deleted.",
    ),
    setting(
        "log.format",
        "INNOHAKU_LOG_FORMAT",
        Some("log-format"),
        Some("text"),
        Kind::Text,
        "`text` (coloured only on a terminal) or `json` (one object a line).",
    ),
    setting(
        "log.filter",
        "RUST_LOG",
        Some("log-filter"),
        Some("innohaku=info,tower_http=warn"),
        Kind::Text,
        "Which messages are logged, as tracing's EnvFilter reads it: at `info` a line per \
         request (the access log, `innohaku::access`); `innohaku=debug` adds more.",
    ),
];

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The configuration file.
    File(PathBuf),
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => write!(f, "the default"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Env(var) => write!(f, "{var}"),
            Origin::Flag(flag) => write!(f, "--{flag}"),
        }
    }
}

/// A source's values, raw, by key.
pub type Layer = BTreeMap<&'static str, (String, Origin)>;

/// Why the configuration was refused: the key, where its value came from, and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value does not parse or is out of range.
    #[error("{key} ({origin}): {message}")]
    Invalid {
        /// The setting.
        key: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// What is wrong, and what to write instead.
        message: String,
    },
    /// The file has a key no setting has.
    #[error("{file}: unknown key `{key}`; the keys are listed in docs/configuration.md")]
    UnknownKey {
        /// The file.
        file: PathBuf,
        /// The key as written.
        key: String,
    },
    /// The file could not be read or is not TOML.
    #[error("{file}: {message}")]
    File {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The defaults of every setting that has one.
pub fn defaults() -> Layer {
    SETTINGS
        .iter()
        .filter_map(|s| Some((s.key, (s.default?.to_owned(), Origin::Default))))
        .collect()
}

/// The settings given in the environment (`vars`: the process's, or a test's).
pub fn from_env(vars: &HashMap<String, String>) -> Layer {
    SETTINGS
        .iter()
        .filter_map(|s| Some((s.key, (vars.get(s.env)?.clone(), Origin::Env(s.env)))))
        .collect()
}

/// `INNOHAKU_*` variables no setting reads: most likely misspelt.
pub fn unknown_env(vars: &HashMap<String, String>) -> Vec<String> {
    // Read elsewhere: the language resources, Voikko, and the tests', benchmarks' and
    // scripts' own.
    const OTHERS: &[&str] = &[
        CONFIG_VAR,
        "INNOHAKU_RESOURCES",
        "INNOHAKU_VOIKKO",
        "INNOHAKU_EXPECT_VOIKKO",
        "INNOHAKU_AXE",
        "INNOHAKU_AXE_DIR",
        "INNOHAKU_BIN",
        "INNOHAKU_FUZZ_SECS",
        "INNOHAKU_BENCH_INDEX",
        "INNOHAKU_BENCH_DOCS",
    ];
    let mut unknown: Vec<String> = vars
        .keys()
        .filter(|k| k.starts_with("INNOHAKU_"))
        .filter(|k| !OTHERS.contains(&k.as_str()) && !SETTINGS.iter().any(|s| s.env == *k))
        .cloned()
        .collect();
    unknown.sort();
    unknown
}

/// The settings in a TOML file's text.
pub fn from_toml(text: &str, file: &Path) -> Result<Layer, ConfigError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::File {
            file: file.to_owned(),
            message: format!("not valid TOML: {}", e.message()),
        })?;
    let mut layer = Layer::new();
    flatten(&table, "", file, &mut layer)?;
    Ok(layer)
}

fn flatten(
    table: &toml::Table,
    prefix: &str,
    file: &Path,
    layer: &mut Layer,
) -> Result<(), ConfigError> {
    for (name, value) in table {
        let key = format!("{prefix}{name}");
        if let toml::Value::Table(inner) = value
            && SETTINGS
                .iter()
                .any(|s| s.key.starts_with(&format!("{key}.")))
        {
            flatten(inner, &format!("{key}."), file, layer)?;
            continue;
        }
        let Some(setting) = SETTINGS.iter().find(|s| s.key == key) else {
            return Err(ConfigError::UnknownKey {
                file: file.to_owned(),
                key,
            });
        };
        let invalid = |message: String| ConfigError::Invalid {
            key: setting.key,
            origin: Origin::File(file.to_owned()),
            message,
        };
        let text = match (setting.kind, value) {
            (Kind::Text, toml::Value::String(s)) => s.clone(),
            // A list of origins may be written as a TOML array.
            (Kind::Text, toml::Value::Array(items)) if setting.key == "http.allowed_origins" => {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("write the origins as strings".into()))?
                    .join(",")
            }
            (Kind::Integer, toml::Value::Integer(n)) => n.to_string(),
            (Kind::Bool, toml::Value::Boolean(b)) => b.to_string(),
            (kind, other) => {
                return Err(invalid(format!(
                    "expected {}, found {}",
                    match kind {
                        Kind::Text => "a string",
                        Kind::Integer => "a whole number",
                        Kind::Bool => "true or false",
                    },
                    other.type_str()
                )));
            }
        };
        layer.insert(setting.key, (text, Origin::File(file.to_owned())));
    }
    Ok(())
}

/// Reads the configuration file, if one is named.
pub fn from_file(path: Option<&Path>) -> Result<Layer, ConfigError> {
    let Some(path) = path else {
        return Ok(Layer::new());
    };
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        file: path.to_owned(),
        message: format!("cannot be read: {e}"),
    })?;
    from_toml(&text, path)
}

/// Every value in effect: each layer's values over the ones before it.
pub fn merge(layers: impl IntoIterator<Item = Layer>) -> Layer {
    let mut merged = Layer::new();
    for layer in layers {
        merged.extend(layer);
    }
    merged
}

/// A secret: compared and used, never printed (`Debug` too says only that it is there).
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &Arc<str> {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(REDACTED)")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines; coloured only on a terminal.
    Text,
    /// One JSON object a line.
    Json,
}

/// The server's configuration, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Seed files for an empty store.
    pub seed_dir: PathBuf,
    /// The address to listen on.
    pub bind: SocketAddr,
    /// Sites that may embed the service.
    pub origins: Origins,
    /// The admin key; `None`: the write API is off.
    pub admin_key: Option<Secret>,
    /// Whether the admin key was given as a flag (visible in the process list).
    pub admin_key_on_command_line: bool,
    /// The key that reads `/metrics`, besides the admin key.
    pub metrics_key: Option<Secret>,
    /// What clients may ask of the server.
    pub limits: Limits,
    /// Publishing snapshots, or following them as a replica.
    pub replication: ReplicationOptions,
    /// How logs are written.
    pub log_format: LogFormat,
    /// Which logs are written.
    pub log_filter: String,
    /// Every value in effect, raw, with where it came from (for `innohaku config`).
    pub values: Layer,
}

impl Config {
    /// Loads the configuration: the defaults, then `file` (if named), then the environment
    /// `vars`, then `flags`, each over the ones before; then checks every value.
    pub fn load(
        file: Option<&Path>,
        vars: &HashMap<String, String>,
        flags: Layer,
    ) -> Result<Config, ConfigError> {
        let values = merge([defaults(), from_file(file)?, from_env(vars), flags]);
        Config::check(values)
    }

    /// Checks merged values and builds the configuration from them.
    pub fn check(mut values: Layer) -> Result<Config, ConfigError> {
        let v = Values(&values);
        let limits = Limits {
            max_batch_docs: v.parse("limits.max_batch_docs", positive)?,
            max_connections: v.parse("limits.max_connections", positive)?,
            header_timeout: v.parse("limits.header_timeout", nonzero_duration)?,
            body_timeout: v.parse("limits.body_timeout", nonzero_duration)?,
            drain_timeout: v.parse("limits.drain_timeout", http::parse_duration)?,
            search_queue: v.parse("limits.search_queue", |s| {
                s.parse::<u32>()
                    .map(|n| n as usize)
                    .map_err(|_| format!("`{s}` is not a whole number from 0 up"))
            })?,
            search_wait: v.parse("limits.search_wait", http::parse_duration)?,
            rate_limit: v.parse("limits.rate_limit", http::parse_rate)?,
            client_ip_header: v.optional("http.client_ip_header", |s| {
                HeaderName::try_from(s).map_err(|_| format!("`{s}` is not a header name"))
            })?,
        };
        let admin_key = match v.optional("auth.admin_key_file", read_key)? {
            Some(key) => Some(key),
            None => v.optional("auth.admin_key", |s| Ok(Secret(Arc::from(s))))?,
        }
        .filter(|k| !k.0.is_empty());
        let metrics_key = match v.optional("auth.metrics_key_file", read_key)? {
            Some(key) => Some(key),
            None => v.optional("auth.metrics_key", |s| Ok(Secret(Arc::from(s))))?,
        }
        .filter(|k| !k.0.is_empty());
        let admin_key_on_command_line = admin_key.is_some()
            && !values.contains_key("auth.admin_key_file")
            && matches!(values.get("auth.admin_key"), Some((_, Origin::Flag(_))));
        let config = Config {
            data_dir: v.parse("data_dir", |s| Ok(PathBuf::from(s)))?,
            seed_dir: v.parse("seed_dir", |s| Ok(PathBuf::from(s)))?,
            bind: v.parse("http.bind", |s| {
                s.parse()
                    .map_err(|_| format!("`{s}` is not an address: write e.g. 127.0.0.1:8080"))
            })?,
            origins: v.parse("http.allowed_origins", Origins::parse)?,
            admin_key,
            admin_key_on_command_line,
            metrics_key,
            limits,
            replication: ReplicationOptions {
                follow: v.optional("replication.follow", |s| Ok(s.to_owned()))?,
                follow_interval: v.parse("replication.follow_interval", nonzero_duration)?,
                follow_max_rate: v.optional("replication.follow_max_rate", |s| {
                    s.parse::<u64>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("`{s}` is not a whole number from 1 up"))
                })?,
                snapshot_to: v.optional("replication.snapshot_to", |s| Ok(s.to_owned()))?,
                snapshot_interval: v.optional("replication.snapshot_interval", nonzero_duration)?,
                snapshot_keep: v.parse("replication.snapshot_keep", positive)?,
            },
            log_format: v.parse("log.format", |s| match s {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err(format!("`{s}` is not a log format: write text or json")),
            })?,
            log_filter: v.parse("log.filter", |s| {
                tracing_subscriber::EnvFilter::try_new(s)
                    .map(|_| s.to_owned())
                    .map_err(|e| format!("`{s}` is not a log filter: {e}"))
            })?,
            values: Layer::new(),
        };
        // What is kept for printing keeps no secret.
        for setting in SETTINGS.iter().filter(|s| s.secret) {
            if let Some((value, _)) = values.get_mut(setting.key) {
                *value = "REDACTED".into();
            }
        }
        Ok(Config { values, ..config })
    }

    /// The effective configuration as TOML, each value with where it came from; secrets are
    /// redacted and unset settings are comments.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# The effective configuration of innohaku: defaults < file < environment < flags.\n",
        );
        let mut section = "";
        for setting in SETTINGS {
            let (table, name) = setting.key.split_once('.').unwrap_or(("", setting.key));
            if table != section {
                out.push_str(&format!("\n[{table}]\n"));
                section = table;
            }
            match self.values.get(setting.key) {
                Some((_, origin)) if setting.secret => {
                    out.push_str(&format!("{name} = \"REDACTED\" # from {origin}\n"));
                }
                Some((value, origin)) => {
                    let value = match setting.kind {
                        Kind::Integer | Kind::Bool => value.clone(),
                        Kind::Text => toml::Value::String(value.clone()).to_string(),
                    };
                    out.push_str(&format!("{name} = {value} # from {origin}\n"));
                }
                None => out.push_str(&format!("# {name} is not set\n")),
            }
        }
        out
    }
}

/// Looks up merged values, turning a parser's complaint into an error naming the key.
struct Values<'a>(&'a Layer);

impl Values<'_> {
    fn parse<T>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        self.optional(key, parse)?
            .ok_or_else(|| ConfigError::Invalid {
                key,
                origin: Origin::Default,
                message: "missing".into(),
            })
    }

    fn optional<T>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        debug_assert!(SETTINGS.iter().any(|s| s.key == key), "{key} is a setting");
        let Some((value, origin)) = self.0.get(key) else {
            return Ok(None);
        };
        parse(value.trim())
            .map(Some)
            .map_err(|message| ConfigError::Invalid {
                key,
                origin: origin.clone(),
                message,
            })
    }
}

fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n as usize),
        _ => Err(format!("`{s}` is not a whole number from 1 up")),
    }
}

fn nonzero_duration(s: &str) -> Result<Duration, String> {
    match http::parse_duration(s)? {
        d if d.is_zero() => Err(format!("`{s}`: must be longer than zero")),
        d => Ok(d),
    }
}

/// A key in a file: its first line, without surrounding white space.
fn read_key(path: &str) -> Result<Secret, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading `{path}`: {e}"))?;
    let key = text.lines().next().unwrap_or_default().trim();
    if key.is_empty() {
        return Err(format!("the key file `{path}` is empty"));
    }
    Ok(Secret(Arc::from(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn flag(key: &'static str, value: &str) -> Layer {
        let setting = SETTINGS.iter().find(|s| s.key == key).unwrap();
        Layer::from([(key, (value.to_owned(), Origin::Flag(setting.flag.unwrap())))])
    }

    #[test]
    fn a_file_is_overridden_by_the_environment_and_that_by_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("innohaku.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/innohaku\"\n[limits]\nsearch_queue = 7\nheader_timeout = \"5s\"\n\
             max_connections = 100\n[http]\nallowed_origins = [\"https://www.kunta.fi\"]\n",
        )
        .unwrap();
        let env = vars(&[
            ("INNOHAKU_SEARCH_QUEUE", "8"),
            ("INNOHAKU_HEADER_TIMEOUT", "6s"),
        ]);
        let config = Config::load(Some(&file), &env, flag("limits.header_timeout", "7s")).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/innohaku"), "file");
        assert_eq!(config.limits.max_connections, 100, "file");
        assert_eq!(config.limits.search_queue, 8, "environment over file");
        assert_eq!(
            config.limits.header_timeout,
            Duration::from_secs(7),
            "flag over environment"
        );
        assert_eq!(
            config.limits.body_timeout,
            Duration::from_secs(30),
            "default"
        );
        assert_eq!(
            config.origins,
            Origins::parse("https://www.kunta.fi").unwrap()
        );
    }

    #[test]
    fn errors_name_the_key_and_where_the_value_came_from() {
        let env = vars(&[("INNOHAKU_BODY_TIMEOUT", "soon")]);
        let error = Config::load(None, &env, Layer::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("limits.body_timeout (INNOHAKU_BODY_TIMEOUT): `soon`"),
            "{error}"
        );
        let error = Config::load(None, &HashMap::new(), flag("limits.max_connections", "0"))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("limits.max_connections (--max-connections)"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[limits]\nheader_timout = \"5s\"\n").unwrap();
        let error = Config::load(Some(&file), &HashMap::new(), Layer::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown key `limits.header_timout`"),
            "{error}"
        );
        std::fs::write(&file, "[limits]\nsearch_queue = \"many\"\n").unwrap();
        let error = Config::load(Some(&file), &HashMap::new(), Layer::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("limits.search_queue") && error.contains("expected a whole number"),
            "{error}"
        );
    }

    #[test]
    fn secrets_are_redacted_and_the_key_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("key");
        std::fs::write(&key_file, "from-the-file\n").unwrap();
        let env = vars(&[
            ("INNOHAKU_ADMIN_KEY", "s3cret-admin-key"),
            ("INNOHAKU_METRICS_KEY", "s3cret-metrics-key"),
        ]);
        let config = Config::load(None, &env, Layer::new()).unwrap();
        let printed = config.to_toml();
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(!format!("{config:?}").contains("s3cret"));
        assert!(printed.contains("admin_key = \"REDACTED\" # from INNOHAKU_ADMIN_KEY"));
        printed.parse::<toml::Table>().expect("the output is TOML");
        let with_file = flag("auth.admin_key_file", key_file.to_str().unwrap());
        let config = Config::load(None, &env, with_file).unwrap();
        assert_eq!(&**config.admin_key.unwrap().expose(), "from-the-file");
    }

    #[test]
    fn every_setting_is_documented() {
        let docs = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
        )
        .unwrap();
        for s in SETTINGS {
            let flag = s.flag.map_or("(none)".to_owned(), |f| format!("`--{f}`"));
            let row = format!("| `{}` | `{}` | {flag} |", s.key, s.env);
            assert!(
                docs.contains(&row),
                "docs/configuration.md has no row {row}"
            );
        }
    }

    #[test]
    fn misspelt_variables_are_found() {
        let env = vars(&[
            ("INNOHAKU_HEADR_TIMEOUT", "5s"),
            ("INNOHAKU_BIND", "127.0.0.1:1"),
            ("INNOHAKU_RESOURCES", "index"),
        ]);
        assert_eq!(unknown_env(&env), vec!["INNOHAKU_HEADR_TIMEOUT".to_owned()]);
    }
}
