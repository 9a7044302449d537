use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = innohaku::cli::Cli::parse();
    match innohaku::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("innohaku: {e:#}");
            ExitCode::FAILURE
        }
    }
}
