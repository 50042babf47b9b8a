//! Float rules of the fast path: a float32 read from an alert is the float64 nearest its
//! shortest decimal (what the JSON view shows), jaq's order of floats, and the cut of a
//! comparison between a float32 and a constant, worked out once per constant.

use std::cmp::Ordering;

use crate::formats::avro::view::shown_f32;

// ---------------------------------------------------------------------------------
// Comparing a float32 with a constant.

/// The float64 a float32 is shown as.
pub(super) fn shown(x: f32) -> f64 {
    shown_f32(x)
}

/// jaq's order of two floats: -0 equals 0, NaN is below everything.
pub(super) fn float_cmp(l: f64, r: f64) -> Ordering {
    if l == 0.0 && r == 0.0 {
        Ordering::Equal
    } else if l.is_nan() {
        Ordering::Less
    } else if r.is_nan() {
        Ordering::Greater
    } else {
        l.total_cmp(&r)
    }
}

/// A constant as float32 neighbours: comparing a float32 `x` with the constant `c`
/// (as jaq compares `shown(x)` with `c`) is one float32 comparison with `t`, the smallest
/// finite float32 shown at or above `c`. `shown` is strictly increasing on finite float32s,
/// so `shown(x) < c` exactly when `x < t`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    t: Option<f32>,
    eq: bool,
    nan: bool,
}

impl Cut {
    pub(crate) fn new(c: f64) -> Cut {
        if c.is_nan() {
            return Cut {
                t: None,
                eq: false,
                nan: true,
            };
        }
        let max = f64::from(f32::MAX);
        let mut t = if c >= max {
            f32::MAX
        } else if c <= -max {
            -f32::MAX
        } else {
            c as f32
        };
        loop {
            let p = t.next_down();
            if p.is_finite() && float_cmp(shown(p), c) != Ordering::Less {
                t = p;
            } else {
                break;
            }
        }
        while float_cmp(shown(t), c) == Ordering::Less {
            if t == f32::MAX {
                return Cut {
                    t: None,
                    eq: false,
                    nan: false,
                };
            }
            t = t.next_up();
        }
        Cut {
            t: Some(t),
            eq: float_cmp(shown(t), c) == Ordering::Equal,
            nan: false,
        }
    }

    /// jaq's order of `shown(x)` against the constant.
    pub(crate) fn cmp(&self, x: f32) -> Ordering {
        if self.nan {
            return Ordering::Greater;
        }
        match self.t {
            None => Ordering::Less,
            Some(t) if x < t => Ordering::Less,
            Some(t) if x == t && self.eq => Ordering::Equal,
            Some(_) => Ordering::Greater,
        }
    }
}
