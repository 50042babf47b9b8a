//! The fast path's own checks (the differential test in `filter::differential` proves
//! it equal to jq over generated alerts).

use super::float::*;

#[test]
fn cuts_agree_with_the_shown_value_around_each_constant() {
    let consts = [
        0.0,
        -0.0,
        5.0,
        3.631e-5,
        0.1,
        1e-45,
        -1e-45,
        1e39,
        -1e39,
        3.4028235e38,
        f64::INFINITY,
        f64::NEG_INFINITY,
        20.5,
        1e-7,
        123456789.0,
        -2.5,
        16777217.0,
    ];
    for c in consts {
        let cut = Cut::new(c);
        let x0 = c as f32;
        let mut xs = vec![x0, 0.0, -0.0, f32::MAX, -f32::MAX, f32::MIN_POSITIVE];
        let mut up = x0;
        let mut down = x0;
        for _ in 0..4 {
            up = up.next_up();
            down = down.next_down();
            xs.extend([up, down]);
        }
        for x in xs.into_iter().filter(|x| x.is_finite()) {
            assert_eq!(cut.cmp(x), float_cmp(shown(x), c), "x={x:e} c={c:e}");
        }
    }
}

#[test]
fn shown_float32_is_the_shortest_decimal() {
    for x in [
        0.1f32,
        3.631e-5,
        1e-40,
        16777216.0,
        0.00028,
        -0.0,
        3.4028235e38,
    ] {
        let expect: f64 = x.to_string().parse().unwrap();
        assert_eq!(shown(x).to_bits(), expect.to_bits(), "{x}");
    }
}
