//! The command line: `innohaku serve | reindex | snapshot | restore | export | search | validate |
//! analyze | generate | schemas`.

use std::fs::File;
use std::io::{BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::analysis;
use crate::http::embed::Origins;
use crate::http::{self, AppState};
use crate::index::{Catalog, SearchIndex};
use crate::ingest::{Item, read_ndjson};
use crate::replication::{self, Location, ReplicationOptions};
use crate::schema::{Language, json_schemas};
use crate::search::SearchRequest;
use crate::service::{Paths, Service, ingest_files};

/// Innohaku: search for Finnish social and health care development work.
#[derive(Debug, Parser)]
#[command(name = "innohaku", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where data lives.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data directory: the document store and the index generations.
    #[arg(long, env = "INNOHAKU_DATA_DIR", default_value = "index/data")]
    pub data_dir: PathBuf,
}

/// What the server allows its clients; see [`http::Limits`] for what each means.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Most documents in one all-or-nothing (`?atomic=true`) or JSON-array request, which
    /// is held in memory whole; NDJSON streams are unlimited.
    #[arg(long, env = "INNOHAKU_MAX_BATCH_DOCS", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_batch_docs: u32,
    /// Most connections open at once; keep it below the open-file limit (`ulimit -n`).
    #[arg(long, env = "INNOHAKU_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// How long a request's head may take to arrive; also how long a kept-alive connection
    /// may stay idle (e.g. 10s, 500ms).
    #[arg(long, env = "INNOHAKU_HEADER_TIMEOUT", default_value = "10s", value_parser = http::parse_duration)]
    pub header_timeout: std::time::Duration,
    /// How long a request body may stall; a small body must arrive whole within it.
    #[arg(long, env = "INNOHAKU_BODY_TIMEOUT", default_value = "30s", value_parser = http::parse_duration)]
    pub body_timeout: std::time::Duration,
    /// How long a shutdown waits for requests in flight before exiting.
    #[arg(long, env = "INNOHAKU_DRAIN_TIMEOUT", default_value = "10s", value_parser = http::parse_duration)]
    pub drain_timeout: std::time::Duration,
    /// Read requests admitted beyond those the search threads run; more get 503 at once.
    #[arg(long, env = "INNOHAKU_SEARCH_QUEUE", default_value_t = 64)]
    pub search_queue: u32,
    /// Requests each client may make to the public endpoints, e.g. `20/s` or `20/s,40`
    /// (a burst of 40); `off` for no limit.
    #[arg(long, env = "INNOHAKU_RATE_LIMIT", default_value = "off", value_parser = |s: &str| http::parse_rate(s).map(Rate))]
    pub rate_limit: Rate,
    /// The header a trusted reverse proxy sets to the client's address (e.g.
    /// `x-forwarded-for`; its last entry counts). Only set it behind such a proxy.
    #[arg(long, env = "INNOHAKU_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<axum::http::HeaderName>,
}

/// Snapshots: publishing them as a primary, or following them as a read-only replica.
#[derive(Debug, Args)]
pub struct ReplicationArgs {
    /// Serve as a read-only replica of the snapshots at this location (a directory,
    /// `file:///dir` or `s3://bucket/prefix`): writes are refused, `/readyz` is 503 until
    /// the first snapshot is in.
    #[arg(long, env = "INNOHAKU_FOLLOW")]
    pub follow: Option<String>,
    /// How often a replica looks for a newer snapshot.
    #[arg(long, env = "INNOHAKU_FOLLOW_INTERVAL", default_value = "30s", value_parser = http::parse_duration)]
    pub follow_interval: std::time::Duration,
    /// The most bytes per second a replica downloads (unlimited when absent).
    #[arg(long, env = "INNOHAKU_FOLLOW_MAX_RATE", value_parser = clap::value_parser!(u64).range(1..))]
    pub follow_max_rate: Option<u64>,
    /// Where this server publishes snapshots (a directory, `file:///dir` or
    /// `s3://bucket/prefix`): the target of `POST /v1/snapshots` and of the interval.
    #[arg(long, env = "INNOHAKU_SNAPSHOT_TO")]
    pub snapshot_to: Option<String>,
    /// Publish a snapshot at this interval (e.g. 5m) when anything changed; at start too.
    #[arg(long, env = "INNOHAKU_SNAPSHOT_INTERVAL", value_parser = http::parse_duration, requires = "snapshot_to")]
    pub snapshot_interval: Option<std::time::Duration>,
    /// How many snapshots to keep at the location; older ones are deleted.
    #[arg(long, env = "INNOHAKU_SNAPSHOT_KEEP", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub snapshot_keep: u32,
}

impl ReplicationArgs {
    /// The options these flags set.
    pub fn options(&self) -> ReplicationOptions {
        ReplicationOptions {
            follow: self.follow.clone(),
            follow_interval: self.follow_interval,
            follow_max_rate: self.follow_max_rate,
            snapshot_to: self.snapshot_to.clone(),
            snapshot_interval: self.snapshot_interval,
            snapshot_keep: self.snapshot_keep as usize,
        }
    }
}

/// A per-client rate, or none (`off`): clap reads an `Option` field as a flag that may be
/// absent, so the setting that may be `off` is a type of its own.
#[derive(Debug, Clone, Copy)]
pub struct Rate(pub Option<http::RateLimit>);

impl LimitArgs {
    /// The limits these flags set.
    pub fn limits(&self) -> http::Limits {
        http::Limits {
            max_batch_docs: self.max_batch_docs as usize,
            max_connections: self.max_connections as usize,
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            drain_timeout: self.drain_timeout,
            search_queue: self.search_queue as usize,
            rate_limit: self.rate_limit.0,
            client_ip_header: self.client_ip_header.clone(),
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the search page (loads the sample data on first start).
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on; loopback unless you mean otherwise.
        #[arg(long, env = "INNOHAKU_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// NDJSON files loaded into an empty store on first start.
        #[arg(long, env = "INNOHAKU_SEED_DIR", default_value = "data/sample")]
        seed_dir: PathBuf,
        /// A file holding the admin API key for write endpoints (its first line); without a
        /// key the write API is off. Takes precedence over `--admin-key`.
        #[arg(long, env = "INNOHAKU_ADMIN_KEY_FILE")]
        admin_key_file: Option<PathBuf>,
        /// The admin API key itself. Prefer the variable or `--admin-key-file`: a key given
        /// as a flag is visible to every user of the machine in the process list.
        #[arg(long, env = "INNOHAKU_ADMIN_KEY", hide_env_values = true)]
        admin_key: Option<String>,
        /// Whether `admin_key` came from the command line (set by [`parse`]).
        #[arg(skip)]
        admin_key_on_command_line: bool,
        /// Sites whose pages may call the read API and frame the iframe widget: `*`, or
        /// comma-separated origins such as `https://www.kunta.fi`. Default: none but our own.
        #[arg(long, env = "INNOHAKU_ALLOWED_ORIGINS", default_value = "", value_parser = Origins::parse)]
        allowed_origins: Origins,
        #[command(flatten)]
        limits: Box<LimitArgs>,
        #[command(flatten)]
        replication: Box<ReplicationArgs>,
        /// Log as JSON lines.
        #[arg(long)]
        json_logs: bool,
    },
    /// Load NDJSON files into the store and rebuild the index (with no files: rebuild only).
    Reindex {
        #[command(flatten)]
        data: DataArgs,
        /// NDJSON files of practices, projects and networks.
        files: Vec<PathBuf>,
    },
    /// Write a snapshot of a data directory (the store and the index, with a checksum
    /// manifest) to a directory or `s3://bucket/prefix`. A running server takes one with
    /// `POST /v1/snapshots` instead.
    Snapshot {
        #[command(flatten)]
        data: DataArgs,
        /// Where to: a directory, `file:///dir` or `s3://bucket/prefix`.
        to: String,
    },
    /// Restore the newest complete snapshot at a location into the data directory, verifying
    /// every file against its manifest.
    Restore {
        #[command(flatten)]
        data: DataArgs,
        /// Where from: a directory, `file:///dir` or `s3://bucket/prefix` (or one snapshot's
        /// own folder).
        from: String,
        /// Replace a data directory that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Write every stored document as NDJSON, the format `reindex` reads.
    Export {
        #[command(flatten)]
        data: DataArgs,
        /// The file to write (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Search the local index and print the hits.
    Search {
        #[command(flatten)]
        data: DataArgs,
        /// The query.
        query: String,
        /// How many hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Check NDJSON files against the document schemas; exit 1 if any line is invalid.
    Validate {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show how text is analysed into index terms.
    Analyze {
        /// Language of the text.
        #[arg(long, default_value = "fi")]
        lang: Language,
        /// The text.
        text: String,
    },
    /// Write seeded synthetic documents (NDJSON on stdout) for benchmarks.
    Generate {
        /// How many documents.
        #[arg(long, default_value_t = 10_000)]
        docs: usize,
        /// Random seed: the same seed gives the same corpus.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Sample corpus to learn the vocabulary from.
        #[arg(long, default_value = "data/sample")]
        sample_dir: PathBuf,
    },
    /// Write the JSON Schemas of the document kinds into a directory, and `openapi.json`.
    Schemas {
        /// Where to write them.
        #[arg(default_value = "schemas")]
        dir: PathBuf,
    },
}

/// Parses the command line, noting where the admin key came from.
pub fn parse() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Command::Serve {
        admin_key_on_command_line,
        ..
    } = &mut cli.command
    {
        *admin_key_on_command_line = matches
            .subcommand_matches("serve")
            .and_then(|m| m.value_source("admin_key"))
            == Some(ValueSource::CommandLine);
    }
    cli
}

/// Runs a command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve {
            data,
            bind,
            seed_dir,
            admin_key_file,
            admin_key,
            admin_key_on_command_line,
            allowed_origins,
            limits,
            replication,
            json_logs,
        } => {
            init_logs(json_logs);
            if admin_key_on_command_line {
                tracing::warn!(
                    "the admin key was given with --admin-key, where every user of this machine \
                     can read it in the process list: use INNOHAKU_ADMIN_KEY_FILE or \
                     INNOHAKU_ADMIN_KEY instead"
                );
            }
            let admin_key = match admin_key_file {
                Some(path) => Some(read_key(&path)?),
                None => admin_key,
            };
            let limits = limits.limits();
            tracing::debug!(?limits, "limits");
            let replication = replication.options();
            serve(
                data,
                bind,
                seed_dir,
                admin_key,
                allowed_origins,
                limits,
                replication,
            )
        }
        Command::Snapshot { data, to } => snapshot(data, &to),
        Command::Restore { data, from, force } => restore(data, &from, force),
        Command::Export { data, output } => export(data, output),
        Command::Reindex { data, files } => reindex(data, files),
        Command::Search { data, query, limit } => search(data, query, limit),
        Command::Validate { files } => validate(files),
        Command::Analyze { lang, text } => {
            let inspection = analysis::inspect(lang, &text);
            println!("{}", serde_json::to_string_pretty(&inspection)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            docs,
            seed,
            sample_dir,
        } => {
            let sample = read_documents(&crate::service::ndjson_files(&sample_dir)?)?;
            let mut generator = crate::ingest::synthetic::Generator::new(&sample, seed);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for n in 0..docs {
                writeln!(out, "{}", generator.document(n))?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schemas { dir } => {
            std::fs::create_dir_all(&dir)?;
            let contract = serde_json::to_string_pretty(&crate::http::openapi::document())? + "\n";
            std::fs::write("openapi.json", contract)?;
            println!("wrote openapi.json");
            for (name, schema) in json_schemas() {
                let path = dir.join(name);
                std::fs::write(&path, serde_json::to_string_pretty(&schema)? + "\n")?;
                println!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The admin key in a file: its first line, without surrounding white space.
fn read_key(path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the admin key file {}", path.display()))?;
    let key = text.lines().next().unwrap_or_default().trim().to_owned();
    anyhow::ensure!(
        !key.is_empty(),
        "the admin key file {} is empty",
        path.display()
    );
    Ok(key)
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "innohaku=info,tower_http=warn".into());
    // Logs go to stderr: stdout carries the program's own output ("serving at ...").
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn serve(
    data: DataArgs,
    bind: SocketAddr,
    seed_dir: PathBuf,
    admin_key: Option<String>,
    origins: Origins,
    limits: http::Limits,
    replication: ReplicationOptions,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    anyhow::ensure!(
        replication.follow.is_none() || replication.snapshot_to.is_none(),
        "a replica does not publish snapshots: give --follow or --snapshot-to, not both"
    );
    let follow = replication
        .follow
        .as_deref()
        .map(Location::parse)
        .transpose()?;
    let snapshot_to = replication
        .snapshot_to
        .as_deref()
        .map(Location::parse)
        .transpose()?;
    // A replica's data comes from its snapshots, never from seed files.
    let seed = (follow.is_none() && seed_dir.is_dir()).then_some(seed_dir.as_path());
    let service = Service::open(
        Paths {
            data_dir: data.data_dir.clone(),
        },
        seed,
    )
    .with_context(|| format!("opening data directory {}", data.data_dir.display()))?;
    tracing::info!(
        documents = service.index().num_docs(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        analyzer = analysis::description(),
        "index ready"
    );
    let admin_key = admin_key.filter(|k| !k.is_empty()).map(Arc::from);
    if admin_key.is_none() {
        tracing::info!("no admin key configured: the write API is off");
    }
    tracing::info!(?origins, "origins allowed to embed");
    let service = Arc::new(service);
    if let Some(location) = follow {
        tracing::info!(%location, interval = ?replication.follow_interval, "following snapshots as a read-only replica");
        replication::follow(service.clone(), location, &replication)?;
    }
    if let (Some(location), Some(interval)) = (&snapshot_to, replication.snapshot_interval) {
        tracing::info!(%location, ?interval, "publishing snapshots");
        replication::publish_every(
            service.clone(),
            location.clone(),
            interval,
            replication.snapshot_keep,
        )?;
    }
    let state = AppState {
        service,
        admin_key,
        origins: Arc::new(origins),
        limits,
        snapshots: snapshot_to.map(Arc::new),
    };
    let runtime = http::runtime()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding {bind}"))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "listening");
        println!("Innohaku is serving at http://{addr}/");
        http::serve(listener, state).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn reindex(data: DataArgs, files: Vec<PathBuf>) -> Result<ExitCode> {
    let paths = Paths {
        data_dir: data.data_dir.clone(),
    };
    let service = Service::open(paths, None)
        .with_context(|| format!("opening data directory {}", data.data_dir.display()))?;
    let mut failed = false;
    if !files.is_empty() {
        let report = ingest_files(service.store(), &files)?;
        for e in &report.rejected {
            eprintln!("rejected {e}");
        }
        if report.rejected_count > report.rejected.len() {
            eprintln!(
                "... and {} more rejected lines",
                report.rejected_count - report.rejected.len()
            );
        }
        failed = report.rejected_count > 0;
        println!(
            "stored: {} new, {} updated, {} unchanged, {} stale, {} rejected",
            report.inserted, report.updated, report.unchanged, report.stale, report.rejected_count
        );
    }
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(service.store().len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} documents, {per_sec}, eta {eta}",
        )
        .expect("a valid template"),
    );
    let n = service.rebuild(None, |done| bar.set_position(done))?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexed {n} documents in {secs:.2} s ({:.0} documents/s)",
        n as f64 / secs.max(1e-9)
    );
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn snapshot(data: DataArgs, to: &str) -> Result<ExitCode> {
    let location = Location::parse(to)?;
    let service = Service::open(
        Paths {
            data_dir: data.data_dir.clone(),
        },
        None,
    )
    .with_context(|| format!("opening data directory {}", data.data_dir.display()))?;
    let manifest = replication::take(&service, &location)?;
    println!(
        "snapshot {} of {} documents ({} files, {} bytes) written to {location}",
        manifest.id,
        manifest.documents,
        manifest.files.len(),
        manifest.bytes()
    );
    Ok(ExitCode::SUCCESS)
}

fn restore(data: DataArgs, from: &str, force: bool) -> Result<ExitCode> {
    let location = Location::parse(from)?;
    let report = replication::restore(&location, &data.data_dir, force)?;
    println!(
        "restored snapshot {} (taken {}) into {}: {} documents, {} searchable{}",
        report.snapshot,
        report.created_at.to_rfc3339(),
        data.data_dir.display(),
        report.documents,
        report.indexed,
        if report.rebuilt {
            "; the index was rebuilt with this version's analyzer"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn export(data: DataArgs, output: Option<PathBuf>) -> Result<ExitCode> {
    let n = match &output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = replication::export(&data.data_dir, &mut out)?;
            out.flush()?;
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = replication::export(&data.data_dir, &mut out)?;
            out.flush()?;
            n
        }
    };
    eprintln!("exported {n} documents");
    Ok(ExitCode::SUCCESS)
}

fn search(data: DataArgs, query: String, limit: usize) -> Result<ExitCode> {
    let paths = Paths {
        data_dir: data.data_dir,
    };
    let index = SearchIndex::open_current(&Catalog::new(paths.indexes()), &paths.indexes())?;
    let req = SearchRequest {
        q: query,
        limit: limit.clamp(1, crate::search::MAX_LIMIT),
        ..SearchRequest::default()
    };
    let started = std::time::Instant::now();
    let results = crate::search::search(&index, &req)?;
    let took = started.elapsed();
    let mut out = std::io::stdout().lock();
    for hit in &results.hits {
        writeln!(
            out,
            "{:>7.3}  {:<8} {}  {}",
            hit.score,
            hit.kind.id(),
            hit.id,
            hit.title
        )?;
        writeln!(out, "         {}", hit.snippet.text)?;
    }
    writeln!(
        out,
        "{} of {} hits in {:.2} ms",
        results.hits.len(),
        results.total,
        took.as_secs_f64() * 1000.0
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Every valid document of some NDJSON files.
pub fn read_documents(files: &[PathBuf]) -> Result<Vec<crate::schema::Document>> {
    let mut docs = Vec::new();
    for path in files {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        for item in read_ndjson(BufReader::new(file)) {
            if let Item::Document(_, doc) = item? {
                docs.push(*doc);
            }
        }
    }
    Ok(docs)
}

fn validate(files: Vec<PathBuf>) -> Result<ExitCode> {
    let mut valid = 0;
    let mut invalid = 0;
    for path in &files {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        for item in read_ndjson(BufReader::new(file)) {
            match item.with_context(|| format!("reading {}", path.display()))? {
                Item::Document(..) => valid += 1,
                Item::Rejected(e) => {
                    invalid += 1;
                    eprintln!("{}:{e}", path.display());
                }
            }
        }
    }
    println!("{valid} valid, {invalid} invalid");
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
