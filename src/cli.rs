//! The command line: `innohaku serve | config | reindex | snapshot | restore | export | search |
//! validate | analyze | generate | schemas`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, Parser, Subcommand};

use crate::analysis;
use crate::config::{self, Config, LogFormat, Origin, SETTINGS};
use crate::http::{self, AppState, server};
use crate::index::{Catalog, SearchIndex};
use crate::ingest::{Item, read_ndjson};
use crate::replication::{self, Location};
use crate::schema::{Language, json_schemas};
use crate::search::SearchRequest;
use crate::service::{IngestReport, Paths, Service};

/// Innohaku: search for Finnish social and health care development work.
#[derive(Debug, Parser)]
#[command(name = "innohaku", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where data lives, for the commands that do not serve: the data directory of the
/// configuration (defaults < file < environment < flag) without its other settings.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data directory: the document store and the index generations [default: the
    /// configuration file's `data_dir`, else index/data].
    #[arg(long, env = "INNOHAKU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// A TOML configuration file (docs/configuration.md): its `data_dir` is used.
    #[arg(long, env = config::CONFIG_VAR)]
    pub config: Option<PathBuf>,
}

impl DataArgs {
    /// The data directory: `--data-dir` or `INNOHAKU_DATA_DIR`, else the file's, else the
    /// default.
    pub fn dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        let file = config::from_file(self.config.as_deref()).context("invalid configuration")?;
        let values = config::merge([config::defaults(), file]);
        let (dir, _) = values.get("data_dir").expect("data_dir has a default");
        Ok(PathBuf::from(dir))
    }
}

/// The server's settings as flags: `--config FILE` and a flag per setting of
/// [`config::SETTINGS`] (the table that also documents them). Flags are the last layer of
/// the configuration: defaults < file < environment < flags ([`Config::load`]).
#[derive(Debug, Clone, Default)]
pub struct ConfigArgs {
    /// The configuration file (`--config`, else `INNOHAKU_CONFIG`).
    pub file: Option<PathBuf>,
    /// The settings given as flags.
    pub flags: config::Layer,
}

impl ConfigArgs {
    /// The configuration of these flags over the process's environment, checked.
    pub fn load(&self) -> Result<Config> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        let file = self
            .file
            .clone()
            .or_else(|| vars.get(config::CONFIG_VAR).map(PathBuf::from));
        let config = Config::load(file.as_deref(), &vars, self.flags.clone())
            .context("invalid configuration")?;
        Ok(config)
    }
}

impl FromArgMatches for ConfigArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = config::Layer::new();
        for setting in SETTINGS {
            let Some(flag) = setting.flag else { continue };
            if let Some(value) = matches.get_one::<String>(setting.key) {
                flags.insert(setting.key, (value.clone(), Origin::Flag(flag)));
            }
        }
        if matches.get_flag("json_logs") {
            flags.insert("log.format", ("json".into(), Origin::Flag("json-logs")));
        }
        Ok(ConfigArgs {
            file: matches.get_one::<PathBuf>("config").cloned(),
            flags,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = ConfigArgs::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ConfigArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let mut cmd = cmd.arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help(format!(
                    "A TOML configuration file (docs/configuration.md) [env: {}]",
                    config::CONFIG_VAR
                )),
        );
        for setting in SETTINGS {
            let Some(flag) = setting.flag else { continue };
            let default = match setting.default {
                Some(d) if !d.is_empty() => format!(" [default: {d}]"),
                _ => String::new(),
            };
            let name = setting.key.rsplit('.').next().unwrap_or(setting.key);
            cmd = cmd.arg(
                Arg::new(setting.key)
                    .long(flag)
                    .value_name(name.to_uppercase())
                    .help(format!("{} [env: {}]{default}", setting.help, setting.env)),
            );
        }
        // The flag of earlier versions.
        cmd.arg(
            Arg::new("json_logs")
                .long("json-logs")
                .action(ArgAction::SetTrue)
                .hide(true),
        )
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ConfigArgs::augment_args(cmd)
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the search page (loads the sample data on first start).
    Serve {
        #[command(flatten)]
        settings: ConfigArgs,
    },
    /// Print the effective configuration (defaults < file < environment < flags) as TOML,
    /// secrets redacted; exit 1 naming the setting if a value is invalid.
    Config {
        #[command(flatten)]
        settings: ConfigArgs,
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

/// Parses the command line (exits with clap's message on an error).
pub fn parse() -> Cli {
    Cli::parse()
}

/// Runs a command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve { settings } => {
            let config = settings.load()?;
            init_logs(&config);
            let unknown = config::unknown_env(&std::env::vars().collect());
            if !unknown.is_empty() {
                tracing::warn!(
                    ?unknown,
                    "environment variables no setting reads: misspelt?"
                );
            }
            if config.admin_key_on_command_line {
                tracing::warn!(
                    "the admin key was given with --admin-key, where every user of this machine \
                     can read it in the process list: use INNOHAKU_ADMIN_KEY_FILE or \
                     INNOHAKU_ADMIN_KEY instead"
                );
            }
            tracing::debug!(config = %config.to_toml(), "configuration");
            serve(config)
        }
        Command::Config { settings } => {
            print!("{}", settings.load()?.to_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex { data, files } => reindex(data, files),
        Command::Snapshot { data, to } => snapshot(data, &to),
        Command::Restore { data, from, force } => restore(data, &from, force),
        Command::Export { data, output } => export(data, output),
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

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::new(&config.log_filter);
    // Logs go to stderr: stdout carries the program's own output ("serving at ..."). Colour
    // only on a terminal: escape codes in a log file or journal are noise.
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Listens at once, answering "not ready" while the service opens (building the index can
/// take minutes), then serves until SIGTERM or SIGINT.
fn serve(config: Config) -> Result<ExitCode> {
    crate::telemetry::install();
    let runtime = http::runtime()?;
    runtime.block_on(async move {
        let bind = config.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding {bind}"))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "listening; not ready until the index is open");
        let switch = server::Switch::new(server::starting());
        let shutdown = tokio_util::sync::CancellationToken::new();
        let mut server = tokio::spawn(server::serve_switched(
            listener,
            switch.clone(),
            config.limits.clone(),
            shutdown.clone().cancelled_owned(),
        ));
        let replication = &config.replication;
        anyhow::ensure!(
            replication.follow.is_none() || replication.snapshot_to.is_none(),
            "a replica does not publish snapshots: give follow or snapshot_to, not both"
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
        let (opened, opening) = tokio::sync::oneshot::channel();
        let open_config = config.clone();
        let replica = follow.is_some();
        std::thread::spawn(move || {
            let _ = opened.send(open(&open_config, replica));
        });
        let service = tokio::select! {
            service = opening => service.context("opening the service failed")??,
            () = http::shutdown_signal() => {
                tracing::warn!("stopped before the index was open");
                return anyhow::Ok(());
            }
            ended = &mut server => {
                ended??;
                return anyhow::Ok(());
            }
        };
        let admin_key = config.admin_key.as_ref().map(|k| k.expose().clone());
        if admin_key.is_none() {
            tracing::info!("no admin key configured: the write API is off");
        }
        tracing::info!(origins = ?config.origins, "origins allowed to embed");
        let service = Arc::new(service);
        if let Some(location) = follow {
            tracing::info!(%location, interval = ?replication.follow_interval, "following snapshots as a read-only replica");
            replication::follow(service.clone(), location, replication)?;
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
        switch.set(http::app(AppState {
            service,
            admin_key,
            metrics_key: config.metrics_key.as_ref().map(|k| k.expose().clone()),
            origins: Arc::new(config.origins),
            limits: config.limits,
            snapshots: snapshot_to.map(Arc::new),
        }));
        println!("Innohaku is serving at http://{addr}/");
        tokio::select! {
            () = http::shutdown_signal() => shutdown.cancel(),
            ended = &mut server => return anyhow::Ok(ended??),
        }
        server.await??;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the store and the index (building it if need be). A replica's data comes from its
/// snapshots, never from seed files.
fn open(config: &Config, replica: bool) -> Result<Service> {
    let started = std::time::Instant::now();
    let seed = (!replica && config.seed_dir.is_dir()).then_some(config.seed_dir.as_path());
    let service = Service::open(
        Paths {
            data_dir: config.data_dir.clone(),
        },
        seed,
    )
    .with_context(|| format!("opening data directory {}", config.data_dir.display()))?;
    tracing::info!(
        documents = service.index().num_docs(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        analyzer = analysis::description(),
        "index ready"
    );
    Ok(service)
}

fn reindex(data: DataArgs, files: Vec<PathBuf>) -> Result<ExitCode> {
    let data_dir = data.dir()?;
    let paths = Paths {
        data_dir: data_dir.clone(),
    };
    // Opening builds the index when it is out of date (after an upgrade) or a bulk load has
    // not reached it: the files are loaded first, so that one build reads them too; with no
    // files, that build is the rebuild asked for.
    let mut started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{pos} documents, {per_sec}")
            .expect("a valid template"),
    );
    let mut failed = false;
    let progress = |done| bar.set_position(done);
    let service = if files.is_empty() {
        Service::open_with_progress(paths, None, progress)
            .with_context(|| format!("opening data directory {}", data_dir.display()))?
    } else {
        // Told before the build, which may fail: the documents are stored either way.
        let loaded = |report: &IngestReport, stored: u64| {
            bar.suspend(|| print_ingested(report));
            failed = report.rejected_count > 0;
            // The build's own progress and rate, from now.
            bar.reset();
            bar.set_length(stored);
            bar.set_style(progress_style());
            started = std::time::Instant::now();
        };
        Service::load_and_open(paths, &files, loaded, progress)
            .with_context(|| format!("loading files into data directory {}", data_dir.display()))?
    };
    bar.finish_and_clear();
    let exit = if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    if service.built_at_open() {
        print_indexed(service.index().searcher().num_docs(), started);
        return Ok(exit);
    }
    let started = std::time::Instant::now();
    let bar =
        indicatif::ProgressBar::new(service.store().len() as u64).with_style(progress_style());
    let n = service.rebuild(None, |done| bar.set_position(done))?;
    bar.finish_and_clear();
    print_indexed(n, started);
    Ok(exit)
}

/// A build's progress bar, when the number of documents is known.
fn progress_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {per_sec}, eta {eta}")
        .expect("a valid template")
}

/// What loading files into the store did: rejected lines on stderr, the counts on stdout.
fn print_ingested(report: &IngestReport) {
    for e in &report.rejected {
        eprintln!("rejected {e}");
    }
    if report.rejected_count > report.rejected.len() {
        eprintln!(
            "... and {} more rejected lines",
            report.rejected_count - report.rejected.len()
        );
    }
    println!(
        "stored: {} new, {} updated, {} unchanged, {} stale, {} rejected",
        report.inserted, report.updated, report.unchanged, report.stale, report.rejected_count
    );
}

fn print_indexed(n: u64, started: std::time::Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexed {n} documents in {secs:.2} s ({:.0} documents/s)",
        n as f64 / secs.max(1e-9)
    );
}

fn search(data: DataArgs, query: String, limit: usize) -> Result<ExitCode> {
    let paths = Paths {
        data_dir: data.dir()?,
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

fn snapshot(data: DataArgs, to: &str) -> Result<ExitCode> {
    let location = Location::parse(to)?;
    let data_dir = data.dir()?;
    let service = Service::open(
        Paths {
            data_dir: data_dir.clone(),
        },
        None,
    )
    .with_context(|| format!("opening data directory {}", data_dir.display()))?;
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
    let data_dir = data.dir()?;
    let report = replication::restore(&location, &data_dir, force)?;
    println!(
        "restored snapshot {} (taken {}) into {}: {} documents, {} searchable{}",
        report.snapshot,
        report.created_at.to_rfc3339(),
        data_dir.display(),
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
    let data_dir = data.dir()?;
    let n = match &output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = replication::export(&data_dir, &mut out)?;
            out.flush()?;
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = replication::export(&data_dir, &mut out)?;
            out.flush()?;
            n
        }
    };
    eprintln!("exported {n} documents");
    Ok(ExitCode::SUCCESS)
}
