//! The conformance catalogue against our own RAP server, in process (no
//! SMB): every case passes under the profile the server runs.
#![cfg(all(feature = "client", feature = "server"))]

use msrap::conform::{self, build_context, run, ExpectProfile, Verdict};
use msrap::oem::OemCodePage;
use msrap::rap::server::poll_once;
use msrap::rap::{Profile, RapConfig, RapServer};
use msrap::smb1::client::InProcess;
use msrap::spool::sample::sample_spooler;

fn run_profile(
    server_profile: Profile,
    expect: ExpectProfile,
    job: u16,
) -> Vec<conform::CaseResult> {
    poll_once(async {
        let mut t = InProcess::new(RapServer::new(
            {
                let mut c = RapConfig::default();
                c.profile = server_profile;
                c
            },
            sample_spooler(),
        ));
        // The clock an SMB connection hands over (NetRemoteTOD):
        // 2024-01-15 12:34:56 UTC as a FILETIME.
        t.set_system_time(0x65A5_2670 * 10_000_000 + 116_444_736_000_000_000);
        let ids = conform::enumerate(&mut t, "LASER").await.unwrap();
        assert_eq!(ids, [3, 4, 5, 6, 7]);
        let ctx = build_context(
            &mut t,
            job,
            &ids,
            Some("LASER".into()),
            OemCodePage::default(),
        )
        .await
        .unwrap();
        run(&mut t, &ctx, expect).await
    })
    .expect("the in-process transport answers at once")
}

fn assert_all_pass(results: &[conform::CaseResult]) {
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.verdict {
            Verdict::Fail(d) => Some(format!("{} [{}]: {}", r.id, r.clause, d.join("; "))),
            _ => None,
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        results.len() > 60,
        "the catalogue has {} cases",
        results.len()
    );
}

#[test]
fn spec_server_passes_spec_profile_for_every_sample_job() {
    for job in [3, 4, 5, 6, 7] {
        assert_all_pass(&run_profile(Profile::SPEC, ExpectProfile::Spec, job));
    }
}

#[test]
fn windows_server_passes_windows_profile_for_every_sample_job() {
    for job in [3, 4, 5, 6, 7] {
        assert_all_pass(&run_profile(Profile::WINDOWS, ExpectProfile::Windows, job));
    }
}

#[test]
fn spec_server_fails_exactly_the_windows_only_cases_under_windows_profile() {
    let results = run_profile(Profile::SPEC, ExpectProfile::Windows, 3);
    let mut failed: Vec<&str> = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail(_)))
        .map(|r| r.id.as_str())
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        [
            "2.5.1/trailing-bytes",
            "2.5.1/truncated-16",
            "2.5.1/truncated-18",
            "2.5.1/truncated-2",
            "2.5.1/truncated-20",
            "2.5.1/truncated-21",
            "2.5.1/truncated-22",
            "2.5.1/truncated-23",
            "2.5.1/truncated-8",
            "2.5.7.2.1/auxdesc-L0",
            "2.5.7.2.1/auxdesc-L3",
            "3.2.5.1/paramdesc-WrLe",
            "3.2.5.1/paramdesc-WrLehh",
            "3.2.5.10/paramdesc-WW",
            "3.2.5.10/paramdesc-empty",
            "3.2.5.10/paramdesc-w",
            "3.2.5.10/paramdesc-z",
            "3.2.5.10/truncated-1",
            "3.2.5.10/truncated-2",
            "3.2.5.11/paramdesc-rLh",
            "3.2.5.12/paramdesc-WrLeh",
            "3.2.5.16/paramdesc-WrLhh",
            "3.2.5.2/paramdesc-zWrL",
            "3.2.5.3/paramdesc-WrL",
            "3.2.5.4/paramdesc-WrLe",
            "3.2.5.5/paramdesc-zWrL",
            "3.2.5.6/paramdesc-wWsTP",
            "3.2.5.6/truncated",
            "3.2.5.7/paramdesc-WWrL",
            "3.2.5.7/paramdesc-WWrLe",
            "3.2.5.7/paramdesc-WWrLhh",
            "3.2.5.7/paramdesc-WrLh",
            "3.2.5.7/paramdesc-before-level",
            "3.2.5.7/paramdesc-empty",
            "3.2.5.7/paramdesc-wwrlh",
            "3.2.5.8/paramdesc-WW",
            "3.2.5.8/paramdesc-empty",
            "3.2.5.8/paramdesc-w",
            "3.2.5.8/paramdesc-z",
            "3.2.5.8/truncated-1",
            "3.2.5.8/truncated-2",
            "3.2.5.9/paramdesc-WW",
            "3.2.5.9/paramdesc-empty",
            "3.2.5.9/paramdesc-w",
            "3.2.5.9/paramdesc-z",
            "3.2.5.9/truncated-1",
            "3.2.5.9/truncated-2",
            "queue-control/continue-name-not-terminated",
            "queue-control/continue-paramdesc-W",
            "queue-control/pause-name-not-terminated",
            "queue-control/pause-paramdesc-W",
            "queue-control/purge-name-not-terminated",
            "queue-control/purge-paramdesc-W",
        ]
    );
}
