//! The JSON view of an alert, for people and for jq.
//!
//! Unions are flattened to their plain values, as Python's fastavro shows them
//! (`{"psfFlux": 1241.0}`, not `{"psfFlux": {"float": 1241.0}}`). A `float` is
//! shown by its shortest decimal form (`0.00028`, not `0.000280000007`). NaN and
//! infinities, which JSON cannot hold, become `null`. Byte fields (the FITS cutouts)
//! follow a [`CutoutPolicy`].

use apache_avro::types::Value;
use base64::Engine;
use serde_json::{Map, Number, Value as Json};

/// How byte fields (the three FITS cutouts) appear in the JSON view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CutoutPolicy {
    /// Leave byte fields out.
    Omit,
    /// Show `{"bytes": N}`, the size only.
    #[default]
    Size,
    /// Keep the bytes: a base64 string in the view.
    Keep,
}

/// Convert a decoded Avro value to its JSON view.
pub fn to_json(value: &Value, policy: CutoutPolicy) -> Json {
    convert(value, policy).unwrap_or(Json::Null)
}

/// `None` means "leave this out" (a byte field under [`CutoutPolicy::Omit`]).
fn convert(value: &Value, policy: CutoutPolicy) -> Option<Json> {
    Some(match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Int(i) | Value::Date(i) | Value::TimeMillis(i) => Json::from(*i),
        Value::Long(i)
        | Value::TimeMicros(i)
        | Value::TimestampMillis(i)
        | Value::TimestampMicros(i)
        | Value::TimestampNanos(i)
        | Value::LocalTimestampMillis(i)
        | Value::LocalTimestampMicros(i)
        | Value::LocalTimestampNanos(i) => Json::from(*i),
        Value::Float(f) => float32(*f),
        Value::Double(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) | Value::Enum(_, s) => Json::String(s.clone()),
        Value::Bytes(b) | Value::Fixed(_, b) => bytes(b, policy)?,
        Value::Union(_, inner) => return convert(inner, policy),
        Value::Array(items) => Json::Array(
            items
                .iter()
                .map(|v| convert(v, policy).unwrap_or(Json::Null))
                .collect(),
        ),
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .filter_map(|k| Some((k.clone(), convert(&m[k], policy)?)))
                    .collect(),
            )
        }
        Value::Record(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (name, v) in fields {
                if let Some(j) = convert(v, policy) {
                    out.insert(name.clone(), j);
                }
            }
            Json::Object(out)
        }
        Value::Uuid(u) => Json::String(u.to_string()),
        other => Json::String(format!("{other:?}")),
    })
}

/// A float32 in the view: [`shown_f32`], or null for NaN and infinities.
fn float32(f: f32) -> Json {
    if !f.is_finite() {
        return Json::Null;
    }
    Number::from_f64(shown_f32(f)).map_or(Json::Null, Json::Number)
}

/// A float32 as the JSON view shows it: the f64 nearest its shortest decimal form, with
/// the digits Rust prints. ryu finds the shortest digits about three times as fast, but
/// breaks a tie between two equally near shortest forms the other way: -30255.5625 is
/// -30255.563 in Rust and -30255.562 in ryu. So ryu's digits are used unless the value
/// lies exactly halfway between two candidates, which exact integer arithmetic decides
/// (then, or when that arithmetic would overflow, Rust's own formatting decides).
pub fn shown_f32(f: f32) -> f64 {
    // The same few fields are read by many filters: a small cache of recent answers
    // (its empty entries, bits 0, hold 0.0's own answer).
    thread_local! {
        static RECENT: std::cell::RefCell<[(u32, f64); 256]> =
            const { std::cell::RefCell::new([(0, 0.0); 256]) };
    }
    let bits = f.to_bits();
    let slot = (bits.wrapping_mul(0x9e37_79b1) >> 24) as usize;
    RECENT
        .try_with(|r| {
            let mut r = r.borrow_mut();
            if r[slot].0 != bits {
                r[slot] = (bits, shown_f32_uncached(f));
            }
            r[slot].1
        })
        .unwrap_or_else(|_| shown_f32_uncached(f))
}

/// The float32 nearest the view's float64 of `f` ([`shown_f32`]): what a float32
/// column read from the view holds. It is `f` itself for every float32 but
/// ±7.038531e-26, whose view value lies nearer the next float32 (an exhaustive test
/// finds them; both have the binary exponent -84, the only one that takes the long way).
#[inline]
pub fn shown_f32_as_f32(f: f32) -> f32 {
    if (f.to_bits() >> 23) & 0xff == 43 {
        shown_f32(f) as f32
    } else {
        f
    }
}

/// Append a finite float32 as the JSON view writes it: the text `serde_json` gives
/// [`shown_f32`]'s f64. serde_json writes with zmij, whose float32 text has the same
/// shortest digits as that f64 (unless at a tie, which Rust breaks its own way) and the
/// same layout wherever both types choose the same form: everywhere but a leading digit
/// at 10^-6 (fixed for f32, an exponent for f64) and at 10^13..10^15 (the reverse).
/// Those, and ties, go through the f64. Both are ruled out from the bits first
/// (`other_form`, `may_be_halfway`), so most values never read zmij's text back.
pub fn write_f32(out: &mut Vec<u8>, f: f32) {
    let mut buf = zmij::Buffer::new();
    let s = buf.format_finite(f);
    if !other_form(f) && !may_be_halfway(f) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    if let Some((d, e, exp)) = parse_number(s.as_bytes()) {
        let same_form = match exp {
            Some(x) => !(13..=15).contains(&x),
            None => !s.trim_start_matches('-').starts_with("0.00000"),
        };
        if same_form && !halfway(f, d, e) {
            out.extend_from_slice(s.as_bytes());
            return;
        }
    }
    serde_json::to_writer(out, &shown_f32(f)).expect("writing to a Vec");
}

/// Whether `f`'s shortest text might lead at 10^-6 or at 10^13..10^15, where zmij's
/// float32 and float64 layouts differ: true within a factor of two of those decades
/// (the shortest text lies within 2^-24 of the value, so it leads in the value's own
/// decade or, at a power of ten, the next).
#[inline]
fn other_form(f: f32) -> bool {
    let a = f.abs();
    (5e-7..2e-5).contains(&a) || (5e12..2e16).contains(&a)
}

/// |f| as m·2^k exactly, with m odd; `None` for zero.
#[inline]
fn odd_times_power_of_two(f: f32) -> Option<(u32, i32)> {
    let bits = f.to_bits() & 0x7fff_ffff;
    if bits == 0 {
        return None;
    }
    let (biased, frac) = (bits >> 23, bits & 0x7f_ffff);
    let (m, k) = if biased == 0 {
        (frac, -149)
    } else {
        (frac | 1 << 23, biased as i32 - 150)
    };
    let z = m.trailing_zeros();
    Some((m >> z, k + z as i32))
}

/// A necessary condition of [`halfway`], from the bits alone. With |f| = m·2^k, m odd,
/// a tie 2|f| = D·10^e (D = 2d±1 odd, d of at most 9 digits, so D < 2·10^9) forces
/// e = k+1 (the powers of two must match), and then m = D·5^e when e ≥ 0, or
/// D = m·5^-e when e < 0. Values failing both are no ties, whatever their digits.
#[inline]
fn may_be_halfway(f: f32) -> bool {
    let Some((m, k)) = odd_times_power_of_two(f) else {
        return false;
    };
    let e = k + 1;
    if e >= 0 {
        // m < 2^24 < 5^11: no multiple of a higher power of five.
        e <= 10 && m % 5u32.pow(e as u32) == 0
    } else {
        -e <= 13 && u64::from(m) * 5u64.pow((-e) as u32) < 2_000_000_000
    }
}

fn shown_f32_uncached(f: f32) -> f64 {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(f);
    match digits(s) {
        Some((d, e)) if !halfway(f, d, e) => {
            exact(d, e, f.is_sign_negative()).unwrap_or_else(|| s.parse().unwrap_or(f64::from(f)))
        }
        _ => shown_f32_by_rust(f),
    }
}

/// d * 10^e as the nearest f64, where one operation gives it exactly rounded (Clinger's
/// fast path: d and 10^|e| both exact in an f64, so the product or quotient is rounded
/// once); `None` elsewhere (the caller parses the text).
fn exact(d: u64, e: i32, negative: bool) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    if d >= 1 << 53 || !(-22..=22).contains(&e) {
        return None;
    }
    let v = d as f64;
    let v = if e >= 0 {
        v * POW10[e as usize]
    } else {
        v / POW10[(-e) as usize]
    };
    Some(if negative { -v } else { v })
}

/// Rust's shortest form of a float32, read back as f64 (the reference [`shown_f32`] keeps).
fn shown_f32_by_rust(f: f32) -> f64 {
    use std::io::Write;
    let mut bytes = [0u8; 48];
    let mut cur = std::io::Cursor::new(&mut bytes[..]);
    // `{:e}` prints the same shortest digits as `{}`, always short enough for the buffer.
    if write!(cur, "{f:e}").is_err() {
        return f64::from(f);
    }
    let n = cur.position() as usize;
    std::str::from_utf8(&bytes[..n])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::from(f))
}

/// The decimal digits and exponent of a printed number (`-1.25e-7` is 125 and -9), with
/// no trailing zeros in the digits.
fn digits(s: &str) -> Option<(u64, i32)> {
    parse_number(s.as_bytes()).map(|(d, e, _)| (d, e))
}

/// [`digits`] in one pass over the bytes, with the printed exponent, if any (`-1.25e-7`
/// is 125, -9 and `Some(-7)`; `0.5` is 5, -1 and `None`).
fn parse_number(s: &[u8]) -> Option<(u64, i32, Option<i32>)> {
    let s = s.strip_prefix(b"-").unwrap_or(s);
    let mut d: u64 = 0;
    let mut frac: Option<i32> = None;
    let mut any = false;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            c @ b'0'..=b'9' => {
                d = d.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                if let Some(n) = frac.as_mut() {
                    *n += 1;
                }
                any = true;
            }
            b'.' if frac.is_none() => frac = Some(0),
            b'e' | b'E' => break,
            _ => return None,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    let exp = if i < s.len() {
        let t = std::str::from_utf8(&s[i + 1..]).ok()?;
        Some(t.parse::<i32>().ok()?)
    } else {
        None
    };
    let mut e = exp.unwrap_or(0).checked_sub(frac.unwrap_or(0))?;
    while d != 0 && d.is_multiple_of(10) {
        d /= 10;
        e += 1;
    }
    Some((d, e, exp))
}

/// Whether |f| is exactly halfway between d*10^e and a neighbour (d±1)*10^e, that is
/// 2|f| = (2d±1)*10^e; true also when that cannot be decided in 128 bits.
fn halfway(f: f32, d: u64, e: i32) -> bool {
    tie(f, d, e).unwrap_or(true)
}

/// [`halfway`], or `None` where 128 bits cannot decide it.
fn tie(f: f32, d: u64, e: i32) -> Option<bool> {
    let Some((m, k)) = odd_times_power_of_two(f) else {
        return Some(false);
    };
    let m = u128::from(m);
    let pow10 = |n: u32| 10u128.checked_pow(n);
    let odd = |x: u128| x & 1 == 1 && (x == 2 * u128::from(d) + 1 || x + 1 == 2 * u128::from(d));
    // 2|f| = m * 2^(k+1); the candidates' midpoints are odd multiples of 10^e.
    match (e >= 0, k + 1 >= 0) {
        (true, true) => {
            // m * 2^(k+1) / 10^e must be odd: then 2^(k+1) / 2^e leaves no factor 2.
            let p = pow10(e as u32)?;
            let lhs = (k + 1 < 128)
                .then(|| m.checked_shl((k + 1) as u32))
                .flatten()?;
            if lhs >> (k + 1) != m {
                return None; // overflowed
            }
            Some(lhs % p == 0 && odd(lhs / p))
        }
        (true, false) => Some(false), // not an integer, so not an odd multiple of 10^e >= 1
        (false, true) => {
            // m * 2^(k+1) * 10^-e is even: never odd.
            Some(false)
        }
        (false, false) => {
            // m * 10^-e / 2^-(k+1) must be an odd integer.
            let p = pow10((-e) as u32)?;
            let num = m.checked_mul(p)?;
            let shift = (-(k + 1)) as u32;
            // A nonzero u128 has fewer than 128 trailing zeros: shift >= 128 is no integer.
            Some(shift < 128 && num.trailing_zeros() >= shift && odd(num >> shift))
        }
    }
}

fn bytes(b: &[u8], policy: CutoutPolicy) -> Option<Json> {
    match policy {
        CutoutPolicy::Omit => None,
        CutoutPolicy::Size => {
            let mut m = Map::new();
            m.insert("bytes".into(), Json::from(b.len()));
            Some(Json::Object(m))
        }
        CutoutPolicy::Keep => Some(Json::String(
            base64::engine::general_purpose::STANDARD.encode(b),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_flatten_and_floats_read_as_written() {
        let v = Value::Record(vec![
            ("a".into(), Value::Union(1, Box::new(Value::Float(0.00028)))),
            ("b".into(), Value::Union(0, Box::new(Value::Null))),
            ("n".into(), Value::Double(f64::NAN)),
            (
                "cut".into(),
                Value::Union(1, Box::new(Value::Bytes(vec![1, 2, 3]))),
            ),
        ]);
        let j = to_json(&v, CutoutPolicy::Size);
        assert_eq!(
            j,
            serde_json::json!({"a": 0.00028, "b": null, "n": null, "cut": {"bytes": 3}})
        );
        let j = to_json(&v, CutoutPolicy::Omit);
        assert!(j.get("cut").is_none());
        let j = to_json(&v, CutoutPolicy::Keep);
        assert_eq!(j["cut"], "AQID");
    }
}

#[cfg(test)]
mod float_tests {
    use super::shown_f32;

    #[test]
    fn shown_f32_is_what_rust_displays() {
        let mut x: u32 = 0x9e37_79b9;
        for i in 0..200_000u32 {
            // Every exponent, many mantissas, and the edges.
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let f = f32::from_bits(if i < 512 { (i << 23) | (x & 0x7f) } else { x });
            if f.is_finite() {
                let rust: f64 = f.to_string().parse().unwrap();
                assert_eq!(shown_f32(f).to_bits(), rust.to_bits(), "{f:e}");
            }
        }
        // Two shortest forms are equally near -30255.5625 (exact in f32): Rust prints ...563.
        assert_eq!(shown_f32(f32::from_bits(0xc6ec_5f20)), -30255.563);
    }

    /// ryu's digits with the halfway check agree with Rust's formatting, above all where
    /// two shortest forms are equally near: values with few binary fraction digits.
    #[test]
    fn shown_f32_agrees_with_rusts_digits_at_ties() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut ties = 0;
        for i in 0..400_000u32 {
            let x = xorshift(&mut x);
            let f = match i % 4 {
                // m * 2^k for small k: where ties live.
                0 => (x as u32 & 0xff_ffff) as f32 * 2f32.powi((x >> 40) as i32 % 12 - 6),
                1 => f32::from_bits(x as u32),
                2 => (x % 2_000_000) as f32 / 16.0,
                _ => f32::from_bits((x as u32 & 0x807f_ffff) | (((x >> 32) as u32 % 256) << 23)),
            };
            if !f.is_finite() {
                continue;
            }
            let want = super::shown_f32_by_rust(f);
            assert_eq!(
                shown_f32(f).to_bits(),
                want.to_bits(),
                "{f:e} ({:#x})",
                f.to_bits()
            );
            let mut buf = ryu::Buffer::new();
            if buf.format_finite(f).parse::<f64>().ok() != Some(want) {
                ties += 1;
            }
        }
        // The generator reaches the cases where ryu alone would be wrong.
        assert!(ties > 100, "only {ties} ties");
    }

    /// The text written for a float32 is serde_json's for its view value, over every
    /// exponent, the form boundaries (10^-6, 10^-5, 10^13, 10^16), ties and signs.
    #[test]
    fn write_f32_is_the_views_text() {
        let check = |f: f32| {
            if !f.is_finite() {
                return;
            }
            let mut got = Vec::new();
            super::write_f32(&mut got, f);
            let want = serde_json::to_string(&super::float32(f)).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                want,
                "{f:e} ({:#x})",
                f.to_bits()
            );
        };
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..400_000u32 {
            let x = xorshift(&mut x);
            let f = match i % 4 {
                0 => f32::from_bits(x as u32),
                1 => (x as u32 & 0xff_ffff) as f32 * 2f32.powi((x >> 40) as i32 % 12 - 6),
                // Around each power of ten, where the form changes.
                2 => {
                    let p = 10f32.powi((x >> 32) as i32 % 40 - 20);
                    f32::from_bits(p.to_bits().wrapping_add((x as u32 % 64).wrapping_sub(32)))
                }
                _ => -f32::from_bits(x as u32 & 0x7fff_ffff),
            };
            check(f);
        }
        for f in [
            0.0,
            -0.0,
            1e-6,
            1e-5,
            9.999999e-6,
            1e13,
            1e16,
            9.999999e15,
            1e-45,
            f32::MAX,
        ] {
            check(f);
            check(-f);
        }
    }

    /// The next of a xorshift sequence (the generated values of these tests).
    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// [`super::may_be_halfway`] holds wherever [`super::tie`] finds a tie from zmij's
    /// digits, over generated values and the ties Rust breaks its own way. (Where 128
    /// bits cannot decide, `halfway` says yes to be safe; the exhaustive test below
    /// covers those values.)
    #[test]
    fn every_tie_passes_the_bit_test() {
        let mut ties = 0;
        let mut check = |f: f32| {
            let mut buf = zmij::Buffer::new();
            let s = buf.format_finite(f);
            let (d, e, _) = super::parse_number(s.as_bytes()).unwrap();
            if super::tie(f, d, e) == Some(true) {
                ties += 1;
                assert!(super::may_be_halfway(f), "{f:e} ({:#x})", f.to_bits());
            }
        };
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..2_000_000u32 {
            let x = xorshift(&mut x);
            let f = match i % 3 {
                0 => f32::from_bits(x as u32 & 0x7fff_ffff),
                // Few significant bits: where ties live.
                1 => (x as u32 & 0x3ff) as f32 * 2f32.powi((x >> 40) as i32 % 60 - 30),
                _ => (x as u32 & 0xff_ffff) as f32 * 2f32.powi((x >> 40) as i32 % 16 - 8),
            };
            check(f);
            check(-f);
        }
        // ±30255.5625 (exact in f32), a tie Rust and ryu break apart.
        for f in [
            f32::from_bits(0xc6ec_5f20),
            f32::from_bits(0x46ec_5f20),
            0.0,
            1e-45,
            f32::MAX,
        ] {
            check(f);
        }
        assert!(ties > 0, "the generator found no ties");
    }

    /// Every float32's written text is serde_json's for its view value (several minutes
    /// on two cores in release): `cargo test --release --lib every_f32_written -- --ignored`.
    #[test]
    #[ignore]
    fn every_f32_written_is_the_views_text() {
        let check = |lo: u32, hi: u32| {
            let mut got = Vec::with_capacity(32);
            for b in lo..hi {
                let f = f32::from_bits(b);
                if f.is_finite() {
                    got.clear();
                    super::write_f32(&mut got, f);
                    let want = serde_json::to_vec(&super::shown_f32(f)).unwrap();
                    assert!(got == want, "{f:e} ({b:#x})");
                }
            }
        };
        let t = std::thread::spawn(move || check(0x8000_0000, u32::MAX));
        check(0, 0x8000_0000);
        t.join().unwrap();
    }

    /// Every finite float32: [`super::shown_f32_as_f32`] is the view's float64 cast
    /// back to float32 (what an Arrow float32 column read from the view holds), so a
    /// column built straight from the bytes holds what the view's holds (several
    /// minutes on two cores in release): `cargo test --release --lib every_f32_cast
    /// -- --ignored`. Only ±7.038531e-26 cast back to another float32.
    #[test]
    #[ignore]
    fn every_f32_cast_back_from_the_view_is_found_without_it() {
        let check = |lo: u32, hi: u32| {
            for b in lo..hi {
                let f = f32::from_bits(b);
                if f.is_finite() {
                    assert_eq!(
                        super::shown_f32_as_f32(f).to_bits(),
                        (shown_f32(f) as f32).to_bits(),
                        "{f:e} ({b:#x})"
                    );
                }
            }
        };
        let t = std::thread::spawn(move || check(0x8000_0000, u32::MAX));
        check(0, 0x8000_0000);
        t.join().unwrap();
    }

    /// The one value whose view cast back is another float32, and its neighbours.
    #[test]
    fn a_float32_whose_view_casts_back_to_its_neighbour() {
        for (bits, want) in [
            (0x15ae_43fd_u32, 0x15ae_43fe_u32),
            (0x95ae_43fd, 0x95ae_43fe),
            (0x15ae_43fc, 0x15ae_43fc),
            (0x15ae_43fe, 0x15ae_43fe),
        ] {
            let f = f32::from_bits(bits);
            assert_eq!((shown_f32(f) as f32).to_bits(), want, "{f:e}");
            assert_eq!(super::shown_f32_as_f32(f).to_bits(), want, "{f:e}");
        }
    }

    /// Every float32 (several minutes on two cores in release):
    /// `cargo test --release --lib every_f32 -- --ignored`.
    #[test]
    #[ignore]
    fn every_f32_is_shown_as_rust_shows_it() {
        let check = |lo: u32, hi: u32| {
            for b in lo..hi {
                let f = f32::from_bits(b);
                if f.is_finite() {
                    assert_eq!(
                        shown_f32(f).to_bits(),
                        super::shown_f32_by_rust(f).to_bits(),
                        "{f:e} ({b:#x})"
                    );
                }
            }
        };
        let t = std::thread::spawn(move || check(0x8000_0000, u32::MAX));
        check(0, 0x8000_0000);
        t.join().unwrap();
    }
}
