//! The official Rubin schemas and sample alerts: every version 3.0..11.1 from PyPI's
//! lsst-alert-packet. (The shared tier, tests/shared/, runs the same checks on the
//! 9.0/10.0/11.0 tree and the real alerts in ../shared.)

use crate::official_checks::*;
use crate::support::*;

/// Every version of PyPI's tree loads, with id MAJOR*100+MINOR and the Rubin root name.
#[test]
fn every_official_schema_version_loads() {
    let pypi = versions(&pypi_schema_dir());
    let names: Vec<&str> = pypi.iter().map(|(v, _)| v.as_str()).collect();
    for v in [
        "3.0", "4.0", "5.0", "6.0", "6.1", "7.0", "7.4", "8.0", "9.0", "10.0", "11.0", "11.1",
    ] {
        assert!(names.contains(&v), "PyPI tree lacks {v}: {names:?}");
    }
    assert!(loaded_versions(&pypi_schema_dir()) >= 12);
}

/// Each official fakeAlert.avro decodes, and its JSON view equals the alert.json beside it.
#[test]
fn official_fake_alerts_decode_to_their_alert_json() {
    assert!(fake_alerts_match_their_json(&pypi_schema_dir()) >= 12);
}
