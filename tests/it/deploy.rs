//! The deployment recipes in `deploy/`: the systemd unit passes `systemd-analyze verify` and
//! its hardening scores well, and the container recipe's steps, run as a script, give an image
//! that serves as a non-root user from a read-only root with its data in the volume.

use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

#[test]
fn the_systemd_unit_verifies_and_is_hardened() {
    if !have("systemd-analyze") {
        eprintln!("skipped: systemd-analyze is not installed");
        return;
    }
    // `verify` checks that ExecStart's program exists: the unit as shipped, with its path
    // replaced by the binary under test.
    let unit = std::fs::read_to_string(repo().join("deploy/innohaku.service")).expect("the unit");
    assert!(unit.contains("ExecStart=/usr/local/bin/innohaku serve"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("innohaku.service");
    std::fs::write(
        &path,
        unit.replace(
            "ExecStart=/usr/local/bin/innohaku",
            &format!("ExecStart={}", env!("CARGO_BIN_EXE_innohaku")),
        ),
    )
    .expect("the unit written");
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze runs");
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(verify.status.success() && said.trim().is_empty(), "{said}");

    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(&path)
        .output()
        .expect("systemd-analyze runs");
    let report = String::from_utf8_lossy(&security.stdout);
    let exposure: f64 = report
        .lines()
        .find_map(|l| l.split("exposure level for innohaku.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{report}"));
    // systemd rates 0-10; below 2 is "OK", the best of its five grades.
    assert!(exposure < 2.0, "exposure {exposure}:\n{report}");
}

#[test]
fn the_container_recipe_builds_and_serves_as_a_script() {
    if !have("curl") || !have("python3") {
        eprintln!("skipped: deploy/build-steps.sh needs curl and python3");
        return;
    }
    // The recipe's `cargo build` is replaced by the binary under test: building again would
    // take minutes and test cargo, not the recipe.
    let run = Command::new("bash")
        .arg(repo().join("deploy/build-steps.sh"))
        .env("INNOHAKU_BIN", env!("CARGO_BIN_EXE_innohaku"))
        .output()
        .expect("bash runs");
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{out}\n{err}");
    assert!(out.contains("ok: served"), "{out}");
}
