//! Positions on the sky: great-circle separation, galactic and ecliptic coordinates,
//! and AB magnitudes from fluxes in nanojansky.
//!
//! Angles are in degrees at this module's edges (as alerts carry them) and in radians
//! inside. The frames are those astropy defines, built here from their defining
//! constants, not from astropy's results:
//!
//! * galactic: astropy's `Galactic`, which is FK5 J2000 rotated to the north galactic
//!   pole (192.8594812065348°, 27.12825118085622°) and longitude 122.9319185680026°,
//!   after the ICRS to FK5 frame bias of USNO circular 179;
//! * ecliptic: the mean ecliptic and equinox of J2000 (astropy's `BarycentricMeanEcliptic`
//!   with its default equinox), which is ERFA's `ecm06` at J2000: the IAU 2006 frame bias
//!   and obliquity, with no precession and no nutation.

/// A 3x3 rotation matrix, rows first.
type Mat = [[f64; 3]; 3];

const ARCSEC: f64 = std::f64::consts::PI / (180.0 * 3600.0);

/// A rotation of the frame about x, y or z by `a` radians, as astropy's
/// `rotation_matrix` and ERFA's `iauRx`/`iauRy`/`iauRz` write it.
fn rot(axis: usize, a: f64) -> Mat {
    let (s, c) = a.sin_cos();
    match axis {
        0 => [[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]],
        1 => [[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]],
        _ => [[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]],
    }
}

fn mul(a: &Mat, b: &Mat) -> Mat {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn galactic_matrix() -> &'static Mat {
    static M: std::sync::OnceLock<Mat> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let deg = f64::to_radians;
        // ICRS to FK5 J2000: the frame bias of USNO circular 179.
        let (eta0, xi0, da0) = (-19.9e-3 * ARCSEC, 9.1e-3 * ARCSEC, -22.9e-3 * ARCSEC);
        let bias = mul(&mul(&rot(0, -eta0), &rot(1, xi0)), &rot(2, da0));
        let to_gal = mul(
            &mul(
                &rot(2, deg(180.0 - 122.931_918_568_002_6)),
                &rot(1, deg(90.0 - 27.128_251_180_856_22)),
            ),
            &rot(2, deg(192.859_481_206_534_8)),
        );
        mul(&to_gal, &bias)
    })
}

fn ecliptic_matrix() -> &'static Mat {
    static M: std::sync::OnceLock<Mat> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        // ERFA ecm06 at J2000: Rx(eps) · fw2m(gamb, phib, psib, eps), which is
        // Rz(-psib) · Rx(phib) · Rz(gamb) with the IAU 2006 frame-bias angles at t = 0.
        let gamb = -0.052_928 * ARCSEC;
        let phib = 84_381.412_819 * ARCSEC;
        let psib = -0.041_775 * ARCSEC;
        mul(&mul(&rot(2, -psib), &rot(0, phib)), &rot(2, gamb))
    })
}

fn unit(ra: f64, dec: f64) -> [f64; 3] {
    let (sa, ca) = ra.to_radians().sin_cos();
    let (sd, cd) = dec.to_radians().sin_cos();
    [cd * ca, cd * sa, sd]
}

fn rotate(m: &Mat, ra: f64, dec: f64) -> (f64, f64) {
    let v = unit(ra, dec);
    let r: Vec<f64> = (0..3)
        .map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2])
        .collect();
    let lon = r[1].atan2(r[0]).to_degrees().rem_euclid(360.0);
    // rem_euclid can round a tiny negative angle up to 360 itself.
    let lon = if lon >= 360.0 { 0.0 } else { lon };
    let lat = r[2].atan2(r[0].hypot(r[1])).to_degrees();
    (lon, lat)
}

/// Galactic longitude and latitude (l, b) in degrees of an ICRS position in degrees.
pub fn galactic(ra: f64, dec: f64) -> (f64, f64) {
    rotate(galactic_matrix(), ra, dec)
}

/// Ecliptic longitude and latitude in degrees (mean ecliptic and equinox of J2000) of an
/// ICRS position in degrees.
pub fn ecliptic(ra: f64, dec: f64) -> (f64, f64) {
    rotate(ecliptic_matrix(), ra, dec)
}

/// The great-circle distance in radians between two positions in radians (Vincenty's
/// formula, as astropy's `angular_separation`: accurate at every distance).
pub fn separation_rad(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (sdlon, cdlon) = (lon2 - lon1).sin_cos();
    let (slat1, clat1) = lat1.sin_cos();
    let (slat2, clat2) = lat2.sin_cos();
    let num1 = clat2 * sdlon;
    let num2 = clat1 * slat2 - slat1 * clat2 * cdlon;
    let den = slat1 * slat2 + clat1 * clat2 * cdlon;
    num1.hypot(num2).atan2(den)
}

/// The great-circle distance in arcseconds between two positions in degrees.
pub fn separation_arcsec(ra1: f64, dec1: f64, ra2: f64, dec2: f64) -> f64 {
    separation_rad(
        ra1.to_radians(),
        dec1.to_radians(),
        ra2.to_radians(),
        dec2.to_radians(),
    ) / ARCSEC
}

/// Whether (ra, dec) in degrees is a position: finite, dec within ±90.
pub fn is_position(ra: f64, dec: f64) -> bool {
    ra.is_finite() && dec.is_finite() && (-90.0..=90.0).contains(&dec)
}

/// The AB magnitude of 1 nJy: AB magnitudes are m = -2.5 log10(f_ν) - 48.60 with f_ν in
/// erg s⁻¹ cm⁻² Hz⁻¹ (Oke & Gunn 1983; astropy's `ABmag`), and 1 nJy is 10⁻³² of that
/// unit, so m = 31.4 - 2.5 log10(f / nJy), as Rubin's documentation writes it (the
/// sample generator's zero point, the one value both use).
pub const AB_ZERO_POINT_NJY: f64 = crate::formats::sample::NJY_ZERO_POINT;

/// The AB magnitude of a flux in nJy; None when the flux is not positive (or not finite).
pub fn ab_mag(flux_njy: f64) -> Option<f64> {
    (flux_njy > 0.0 && flux_njy.is_finite()).then(|| AB_ZERO_POINT_NJY - 2.5 * flux_njy.log10())
}

/// The flux in nJy of an AB magnitude: the inverse of [`ab_mag`].
pub fn ab_flux(mag: f64) -> f64 {
    10f64.powf((AB_ZERO_POINT_NJY - mag) / 2.5)
}

/// The error of [`ab_mag`] from the flux's error, both in nJy: 2.5 / ln 10 · σ / f.
/// None when the flux is not positive or the error is negative or not finite.
pub fn ab_mag_err(flux_njy: f64, err_njy: f64) -> Option<f64> {
    (flux_njy > 0.0 && flux_njy.is_finite() && err_njy >= 0.0 && err_njy.is_finite())
        .then(|| 2.5 / std::f64::consts::LN_10 * err_njy / flux_njy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_put_known_points_where_they_belong() {
        // The north galactic pole (FK5 J2000) has b = 90 within the frame bias.
        let (_, b) = galactic(192.859_481_206_534_8, 27.128_251_180_856_22);
        assert!((b - 90.0).abs() < 1e-5, "{b}");
        // The galactic centre is near (266.405, -28.936) in ICRS.
        let (l, b) = galactic(266.404_996_7, -28.936_172_5);
        assert!(l.min(360.0 - l) < 1e-4 && b.abs() < 1e-4, "{l} {b}");
        // The ecliptic pole is at (270, 66.56) in ICRS.
        let (_, lat) = ecliptic(270.0, 90.0 - 23.439_279_444);
        assert!((lat - 90.0).abs() < 1e-4, "{lat}");
    }

    #[test]
    fn separation_is_exact_at_small_and_large_distances() {
        assert_eq!(separation_arcsec(10.0, 20.0, 10.0, 20.0), 0.0);
        assert!((separation_arcsec(0.0, 0.0, 180.0, 0.0) - 648_000.0).abs() < 1e-6);
        assert!((separation_arcsec(359.9999, 0.0, 0.0001, 0.0) - 0.72).abs() < 1e-9);
        // Across the pole: two points 1" from it on opposite meridians are 2" apart.
        let d = 90.0 - 1.0 / 3600.0;
        assert!((separation_arcsec(0.0, d, 180.0, d) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn magnitudes_from_nanojansky() {
        assert!((ab_mag(3631.0e9).unwrap() + 6.562e-5).abs() < 1e-8);
        assert_eq!(ab_mag(1.0), Some(31.4));
        assert_eq!(ab_mag(0.0), None);
        assert_eq!(ab_mag(-5.0), None);
        assert_eq!(ab_mag_err(-5.0, 1.0), None);
        assert!((ab_mag_err(100.0, 10.0).unwrap() - 0.108_573_620_5).abs() < 1e-9);
    }
}
