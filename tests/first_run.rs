//! First run on a stock Debian 12 (issue #12 point 6): the README's test
//! command installs impacket without touching the system python3 (which
//! refuses `pip install`, PEP 668), into a virtual environment the tests
//! then use.

use std::path::Path;
use std::process::Command;

/// Only the system's directories on PATH, as on a fresh Debian 12 (no
/// pyenv, no user-installed python3).
const SYSTEM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[test]
fn the_install_step_puts_impacket_in_a_virtual_environment_of_the_system_python3() {
    let system = Path::new("/usr/bin/python3");
    assert!(
        system.is_file(),
        "/usr/bin/python3 is missing: this check needs Debian's python3 (apt-get install python3)"
    );
    let venv = std::env::temp_dir().join(format!("msrap-first-run-venv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&venv);
    let out = Command::new("bash")
        .arg("scripts/install-peers.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", SYSTEM_PATH)
        .env_remove("PYTHON")
        .env("MSRAP_PEERS_VENV", &venv)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "install-peers.sh failed:\n{log}");
    let python = venv.join("bin/python3");
    let probe = Command::new(&python)
        .args([
            "-c",
            "import sys, impacket, importlib.metadata as m; \
             print(sys.base_prefix, sys.prefix != sys.base_prefix, m.version('impacket'))",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&venv);
    let said = String::from_utf8_lossy(&probe.stdout).into_owned();
    let fields: Vec<&str> = said.split_whitespace().collect();
    assert_eq!(
        fields.get(..2),
        Some(&["/usr", "True"][..]),
        "{said}\n{log}"
    );
    // A current impacket (0.12 and later speak the SMB1 the tests use).
    let version: Vec<u32> = fields
        .get(2)
        .unwrap_or(&"")
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    assert!(version >= vec![0, 12], "impacket {said}");
    assert!(log.contains(&format!("in {}", venv.display())), "{log}");
}
