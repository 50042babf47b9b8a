//! `export` to Parquet and `export verify`: a night of official 11.1 alerts read back by
//! pyarrow (a reader no one here wrote), nested values equal to the JSON view, cutouts
//! omitted on request, and every kind of gap named.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::*;

fn size_of(dir: &Path) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += size_of(&p);
        } else if p.extension().is_some_and(|x| x == "parquet") {
            n += std::fs::metadata(&p).unwrap().len();
        }
    }
    n
}

fn python_check(script: &str, args: &[&str]) {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pyarrow: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

const COMPARE: &str = r#"
import glob, json, math, sys
import pyarrow.dataset as ds
files = glob.glob(sys.argv[1] + "/**/*.parquet", recursive=True)
table = ds.dataset(files, format="parquet").to_table()
views = [json.loads(l) for l in open(sys.argv[2])]
assert table.num_rows == len(views), (table.num_rows, len(views))
rows = {r["diaSourceId"]: r for r in table.to_pylist()}
def same(a, v, path):
    if isinstance(v, dict):
        assert isinstance(a, dict), path
        for k in v:
            same(a.get(k), v[k], path + "." + k)
    elif isinstance(v, list):
        assert isinstance(a, list) and len(a) == len(v), path
        for i, (x, y) in enumerate(zip(a, v)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(v, float) or isinstance(a, float):
        assert a is not None and math.isclose(a, v, rel_tol=1e-6, abs_tol=1e-30), (path, a, v)
    else:
        assert a == v, (path, a, v)
for v in views[:: max(1, len(views) // 12)]:
    r = rows[v["diaSourceId"]]
    for c in ("cutoutDifference", "cutoutScience", "cutoutTemplate"):
        v.pop(c, None)
    same(r, v, "alert")
print(len(rows))
"#;

/// Two Parquet files hold the same rows, in any order.
const SAME_ROWS: &str = r#"
import sys
import pyarrow.parquet as pq
a, b = (pq.read_table(f).sort_by("diaSourceId") for f in sys.argv[1:3])
assert a.num_rows == b.num_rows > 0, (a.num_rows, b.num_rows)
assert a.equals(b), "the rows differ"
print(a.num_rows)
"#;

/// Number columns are written without dictionaries, text columns (other than the
/// cutouts) with them.
const DICTIONARIES: &str = r#"
import glob, sys
import pyarrow.parquet as pq
numbers = text = 0
for f in glob.glob(sys.argv[1] + "/**/*.parquet", recursive=True):
    md = pq.ParquetFile(f).metadata
    for g in range(md.num_row_groups):
        for i in range(md.num_columns):
            c = md.row_group(g).column(i)
            if c.physical_type in ("FLOAT", "DOUBLE", "INT32", "INT64", "BOOLEAN"):
                assert not c.has_dictionary_page, (f, c.path_in_schema)
                numbers += 1
            elif c.physical_type == "BYTE_ARRAY" and not c.path_in_schema.startswith("cutout"):
                text += c.has_dictionary_page
assert numbers > 100 and text > 0, (numbers, text)
print(numbers, text)
"#;

#[test]
fn a_night_of_official_alerts_exports_to_parquet_and_every_gap_is_named() {
    let b = broker_or_return!();
    let pypi = pypi_schema_dir();
    let sd = pypi.to_str().unwrap();
    let base = ["--schema-dir", sd];
    produce_alerts(
        &b,
        "30",
        &[
            &base[..],
            &[
                "--schema-version",
                "11.1",
                "--night",
                "2012-03-01",
                "--visits",
                "2",
                "--alerts-per-visit",
                "50",
                "--seed",
                "15",
            ],
        ]
        .concat(),
    );
    let views = kafka_run(
        &b,
        &[&["tail", "--night", "2012-03-01", "-e"], &base[..]].concat(),
    )
    .json_lines();
    assert_eq!(views.len(), 100);
    let dir = tempdir();
    let keep = dir.path().join("keep");
    let r = kafka_run(
        &b,
        &[
            &[
                "export",
                "--night",
                "2012-03-01",
                "--out",
                keep.to_str().unwrap(),
            ],
            &base[..],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(keep.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["rows"], 100);
    assert_eq!(manifest["schema_ids"], serde_json::json!([1101]));
    assert_eq!(
        manifest["files"][0]["path"],
        "night=2012-03-01/part-1101.parquet"
    );
    let counted: u64 = manifest["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 100);
    python_check(DICTIONARIES, &[keep.to_str().unwrap()]);
    // Decoded on three workers: the same rows. (Two reads of a 4-partition topic may
    // interleave its partitions differently, so the rows' order is each read's own.)
    let three = dir.path().join("three");
    let r = kafka_run(
        &b,
        &[
            &[
                "export",
                "--night",
                "2012-03-01",
                "--out",
                three.to_str().unwrap(),
                "--workers",
                "3",
            ],
            &base[..],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let part = "night=2012-03-01/part-1101.parquet";
    python_check(
        SAME_ROWS,
        &[
            three.join(part).to_str().unwrap(),
            keep.join(part).to_str().unwrap(),
        ],
    );
    // From a file, whose order is fixed: the same Parquet file, byte for byte.
    let wire = dir.path().join("night.wire");
    let raw = kafka_raw(
        &b,
        &["tail", "--night", "2012-03-01", "-e", "--format", "raw"],
    );
    std::fs::write(&wire, raw.stdout).unwrap();
    let from_file = |workers: &str| {
        let out = dir.path().join(format!("file-{workers}"));
        run([
            &["export", "--file", wire.to_str().unwrap()][..],
            &["--out", out.to_str().unwrap(), "--workers", workers],
            &base[..],
        ]
        .concat())
        .ok();
        std::fs::read(out.join(part)).unwrap()
    };
    assert!(
        from_file("3") == from_file("1"),
        "--workers 3 wrote another Parquet file from the same file"
    );
    // pyarrow reads every row back, nested values equal to the JSON view.
    let jsonl = dir.path().join("views.jsonl");
    std::fs::write(
        &jsonl,
        views
            .iter()
            .map(|v| v.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    python_check(COMPARE, &[keep.to_str().unwrap(), jsonl.to_str().unwrap()]);
    // Without cutouts: smaller by about the cutouts' bytes.
    let omit = dir.path().join("omit");
    let r = kafka_run(
        &b,
        &[
            &[
                "export",
                "--night",
                "2012-03-01",
                "--out",
                omit.to_str().unwrap(),
                "--cutouts",
                "omit",
            ],
            &base[..],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cutout_bytes: u64 = views
        .iter()
        .map(|v| {
            ["cutoutDifference", "cutoutScience", "cutoutTemplate"]
                .iter()
                .map(|c| v[c]["bytes"].as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    let (k, o) = (size_of(&keep), size_of(&omit));
    let saved = k - o;
    assert!(
        saved as f64 > 0.8 * cutout_bytes as f64 && (saved as f64) < 1.05 * cutout_bytes as f64,
        "keep {k} omit {o}: saved {saved} of {cutout_bytes} cutout bytes"
    );
    // Avro container files: fastavro reads every alert; verify passes.
    let avro = dir.path().join("avro");
    let r = kafka_run(
        &b,
        &[
            &[
                "export",
                "--night",
                "2012-03-01",
                "--out",
                avro.to_str().unwrap(),
                "--file-format",
                "avro",
            ],
            &base[..],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    python_check(
        "import fastavro, glob, sys\nn = 0\nfor f in glob.glob(sys.argv[1] + '/**/*.avro', recursive=True):\n    n += sum(1 for _ in fastavro.reader(open(f, 'rb')))\nassert n == 100, n",
        &[avro.to_str().unwrap()],
    );
    let r = kafka_run(
        &b,
        &[
            "export",
            "verify",
            avro.to_str().unwrap(),
            "--against",
            "lsst-2012-03-01",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // An existing export is not overwritten.
    let r = kafka_run(
        &b,
        &[
            &[
                "export",
                "--night",
                "2012-03-01",
                "--out",
                keep.to_str().unwrap(),
            ],
            &base[..],
        ]
        .concat(),
    );
    assert!(r.one_line_error(1).contains("already holds an export"));

    // verify: a fresh export passes, against the topic too.
    let verify = |d: &Path| {
        kafka_run(
            &b,
            &[
                "export",
                "verify",
                d.to_str().unwrap(),
                "--against",
                "lsst-2012-03-01",
            ],
        )
    };
    let r = verify(&keep);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Records beyond the manifest's ranges.
    produce_alerts(
        &b,
        "30",
        &[
            &base[..],
            &[
                "--schema-version",
                "11.1",
                "--night",
                "2012-03-01",
                "--visits",
                "1",
                "--alerts-per-visit",
                "5",
                "--seed",
                "16",
            ],
        ]
        .concat(),
    );
    let r = verify(&keep);
    r.one_line_error(1);
    assert!(r.stdout.contains("were never read"), "{}", r.stdout);
    let unread: usize = r
        .stdout
        .lines()
        .filter(|l| l.contains("never read"))
        .count();
    assert!((1..=5).contains(&unread), "{}", r.stdout);
    // Without --against, the files alone still pass.
    let r = kafka_run(&b, &["export", "verify", keep.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A truncated file; a deleted file.
    let file = keep.join("night=2012-03-01/part-1101.parquet");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let r = kafka_run(&b, &["export", "verify", keep.to_str().unwrap()]);
    r.one_line_error(1);
    assert!(
        r.stdout.contains("part-1101.parquet") && r.stdout.contains("truncated"),
        "{}",
        r.stdout
    );
    std::fs::remove_file(&file).unwrap();
    let r = kafka_run(&b, &["export", "verify", keep.to_str().unwrap()]);
    r.one_line_error(1);
    assert!(
        r.stdout
            .contains("missing file night=2012-03-01/part-1101.parquet"),
        "{}",
        r.stdout
    );
}
