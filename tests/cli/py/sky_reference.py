"""Independent references for alertctl's sky functions (the tests in tests/cli/filter_sky.rs
and tests/cli/moc.rs run this script): astropy for great-circle distances and coordinates,
healpy for HEALPix cells, numpy for light-curve numbers, and mocpy to write MOCs as users'
tools write them. Each subcommand writes a case (inputs and the expected answers) into a
directory; the Rust test runs alertctl on the inputs and compares.

    sky_reference.py watchlist DIR N_CONES N_POSITIONS SEED
    sky_reference.py moc DIR N_POSITIONS SEED
    sky_reference.py skymaps DIR
    sky_reference.py mass SKYMAP.fits MOC.fits
    sky_reference.py astro DIR
"""

import json
import math
import sys

import numpy as np


def positions_json(path, ra, dec):
    with open(path, "w") as f:
        for a, d in zip(ra, dec):
            f.write(json.dumps({"diaSource": {"ra": float(a), "dec": float(d)}}) + "\n")


def random_sphere(rng, n):
    ra = rng.uniform(0.0, 360.0, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    return ra, dec


def watchlist(out, n_cones, n_pos, seed):
    from astropy import units as u
    from astropy.coordinates import SkyCoord, search_around_sky

    rng = np.random.default_rng(seed)
    ra, dec = random_sphere(rng, n_cones)
    # Cones at the poles (some exactly on them) and straddling RA 0/360.
    k = n_cones // 20
    dec[:k] = np.where(rng.random(k) < 0.5, 1, -1) * rng.uniform(89.9, 90.0, k)
    dec[:10] = 90.0
    dec[10:20] = -90.0
    ra[k : 2 * k] = np.mod(rng.uniform(-0.01, 0.01, k), 360.0)
    radius = np.exp(rng.uniform(np.log(0.5), np.log(1800.0), n_cones))
    names = [f"c{i}" for i in range(n_cones)]
    with open(f"{out}/cones.csv", "w") as f:
        f.write("ra,dec,name,radius\n")
        for a, d, nm, r in zip(ra, dec, names, radius):
            f.write(f"{float(a)!r},{float(d)!r},{nm},{float(r)!r}\n")
    cones = SkyCoord(ra * u.deg, dec * u.deg)

    pra, pdec = random_sphere(rng, n_pos)
    near = int(n_pos * 0.4)
    edge = int(n_pos * 0.1)
    # Near a cone: at 0..1.3 radii from its centre, in any direction.
    pick = rng.integers(0, n_cones, near + edge)
    pa = rng.uniform(0.0, 360.0, near + edge) * u.deg
    dist = np.concatenate(
        [
            radius[pick[:near]] * rng.uniform(0.0, 1.3, near),
            # Within 1e-6" of the radius, on either side.
            radius[pick[near:]] + np.where(np.arange(edge) % 2 == 0, -1e-6, 1e-6),
        ]
    )
    moved = cones[pick].directional_offset_by(pa, dist * u.arcsec)
    pra[: near + edge] = moved.ra.deg
    pdec[: near + edge] = moved.dec.deg
    positions_json(f"{out}/positions.jsonl", pra, pdec)
    pos = SkyCoord(pra * u.deg, pdec * u.deg)

    i_pos, i_cone, _, _ = search_around_sky(pos, cones, 1800.001 * u.arcsec)
    sep = pos[i_pos].separation(cones[i_cone]).arcsec
    keep = sep <= radius[i_cone]
    pairs = sorted(zip(i_pos[keep].tolist(), [names[j] for j in i_cone[keep]]))
    # The positions put within 1e-6" of a cone's radius: inside (even) or outside (odd).
    edges = [[near + k, names[pick[near + k]], k % 2 == 0] for k in range(edge)]
    json.dump({"pairs": pairs, "edges": edges}, open(f"{out}/truth.json", "w"))


def moc(out, n_pos, seed):
    import healpy as hp
    from astropy import units as u
    from mocpy import MOC

    rng = np.random.default_rng(seed)
    pra, pdec = random_sphere(rng, n_pos)
    pdec[:50] = 90.0
    pdec[50:100] = -90.0
    pra[100:200] = rng.uniform(-1e-9, 1e-9, 100) % 360.0
    cases = []
    for depth in range(8, 14):
        # A region of many cones, as mocpy builds them, at this depth.
        n = 40
        cra, cdec = random_sphere(rng, n)
        cra[:5] = rng.uniform(0, 2, 5)
        cdec[5:8] = [89.5, -89.5, 89.99]
        r = rng.uniform(0.5, 8.0, n) * u.deg
        m = MOC.from_cones(lon=cra * u.deg, lat=cdec * u.deg, radius=r, max_depth=depth, union_strategy="large_cones")
        # Half of the positions are put inside the region's area, near the cones.
        near = n_pos // 2
        i = rng.integers(0, n, near)
        pa, pd = pra.copy(), pdec.copy()
        off = offset_by(cra[i], cdec[i], rng.uniform(0, 360, near), r.value[i] * rng.uniform(0, 1.2, near))
        pa[200 : 200 + near] = off[0][: near]
        pd[200 : 200 + near] = off[1][: near]
        pa, pd = pa[:n_pos], pd[:n_pos]
        for fmt in ["v2", "nuniq"]:
            name = f"m{depth}_{fmt}"
            m.save(f"{out}/{name}.fits", format="fits", v1_compatible=(fmt == "nuniq"), overwrite=True)
            positions_json(f"{out}/{name}.jsonl", pa, pd)
            # healpy's cell of each position at the MOC's depth, looked up in the cells
            # of the file mocpy wrote (read with astropy).
            ipix = hp.ang2pix(2**depth, pa, pd, nest=True, lonlat=True).astype(np.int64)
            shift = 2 * (29 - depth)
            inside = covered(moc_ranges29(f"{out}/{name}.fits"), ipix << shift, (ipix + 1) << shift) == 1.0
            cases.append({"name": name, "depth": depth, "inside": inside.tolist()})
    json.dump(cases, open(f"{out}/cases.json", "w"))


def offset_by(ra, dec, pa, dist_deg):
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    c = SkyCoord(ra * u.deg, dec * u.deg).directional_offset_by(pa * u.deg, dist_deg * u.deg)
    return c.ra.deg, c.dec.deg


def gaussian_density(lon, lat, lon0, lat0, sigma_deg):
    # Unnormalised density of a Gaussian blob on the sphere (by angular distance).
    l1, b1, l2, b2 = map(np.radians, (lon, lat, lon0, lat0))
    cosd = np.sin(b1) * np.sin(b2) + np.cos(b1) * np.cos(b2) * np.cos(l1 - l2)
    d = np.degrees(np.arccos(np.clip(cosd, -1, 1)))
    return np.exp(-0.5 * (d / sigma_deg) ** 2)


def skymaps(out):
    import healpy as hp
    from astropy.io import fits

    lon0, lat0, sigma = 150.0, -30.0, 4.0
    # Flat, NESTED, nside 64.
    nside = 64
    npix = hp.nside2npix(nside)
    lon, lat = hp.pix2ang(nside, np.arange(npix), nest=True, lonlat=True)
    p = gaussian_density(lon, lat, lon0, lat0, sigma)
    p /= p.sum()
    cols = [fits.Column(name="PROB", format="D", array=p)]
    h = fits.BinTableHDU.from_columns(cols)
    for k, v in [("PIXTYPE", "HEALPIX"), ("ORDERING", "NESTED"), ("COORDSYS", "C"), ("NSIDE", nside), ("INDXSCHM", "IMPLICIT")]:
        h.header[k] = v
    fits.HDUList([fits.PrimaryHDU(), h]).writeto(f"{out}/flat.fits", overwrite=True)
    # Multi-order: depth 3 everywhere, refined to depth 8 near the blob, as LIGO's
    # multi-order maps are.
    uniq, dens = [], []

    def refine(depth, ipix):
        lo, la = hp.pix2ang(2**depth, ipix, nest=True, lonlat=True)
        d = gaussian_density(lo, la, lon0, lat0, 1.0)  # near the centre: within ~3 sigma
        far = np.degrees(
            np.arccos(np.clip(np.sin(np.radians(la)) * np.sin(np.radians(lat0)) + np.cos(np.radians(la)) * np.cos(np.radians(lat0)) * np.cos(np.radians(lo - lon0)), -1, 1))
        )
        if depth < 8 and far < 3.5 * sigma:
            for c in range(4):
                refine(depth + 1, 4 * ipix + c)
        else:
            uniq.append(4 * 4**depth + ipix)
            dens.append(gaussian_density(lo, la, lon0, lat0, sigma))

    for ipix in range(12 * 4**3):
        refine(3, ipix)
    uniq = np.array(uniq, dtype=np.int64)
    dens = np.array(dens, dtype=np.float64)
    depth = (np.log2(uniq // 4) // 2).astype(int)
    area = 4 * np.pi / (12 * 4.0**depth)
    dens /= np.sum(dens * area)
    cols = [fits.Column(name="UNIQ", format="K", array=uniq), fits.Column(name="PROBDENSITY", format="D", unit="sr-1", array=dens)]
    h = fits.BinTableHDU.from_columns(cols)
    for k, v in [("PIXTYPE", "HEALPIX"), ("ORDERING", "NUNIQ"), ("COORDSYS", "C"), ("MOCORDER", 8), ("INDXSCHM", "EXPLICIT")]:
        h.header[k] = v
    fits.HDUList([fits.PrimaryHDU(), h]).writeto(f"{out}/multi.fits", overwrite=True)


def moc_ranges29(path):
    """A MOC FITS file's coverage as sorted depth-29 ranges, read with astropy alone."""
    from astropy.io import fits

    h = fits.open(path)[1]
    ordering = h.header.get("ORDERING", "NUNIQ").strip()
    col = np.asarray(h.data.field(0), dtype=np.int64).ravel()
    if ordering == "RANGE":
        r = col.reshape(-1, 2)
    else:
        depth = (np.log2(col // 4) // 2).astype(np.int64)
        ipix = col - 4 * 4**depth
        shift = 2 * (29 - depth)
        r = np.stack([ipix << shift, (ipix + 1) << shift], axis=1)
    return r[np.argsort(r[:, 0])]


def covered(ranges, lo, hi):
    """The part of each [lo, hi) depth-29 interval the ranges cover, as a fraction."""
    starts, ends = ranges[:, 0], ranges[:, 1]
    cum = np.concatenate([[0], np.cumsum(ends - starts)])

    def length_below(x):
        i = np.searchsorted(starts, x, side="right")
        full = cum[np.maximum(i - 1, 0)]
        part = np.where(i > 0, np.minimum(x, ends[np.maximum(i - 1, 0)]) - starts[np.maximum(i - 1, 0)], 0)
        return np.where(i > 0, full + np.maximum(part, 0), 0)

    return (length_below(hi) - length_below(lo)) / (hi - lo)


def mass(skymap, moc_path):
    from astropy.io import fits

    h = fits.open(skymap)[1]
    ranges = moc_ranges29(moc_path)
    if h.header["ORDERING"].strip() == "NUNIQ":
        uniq = np.asarray(h.data["UNIQ"], dtype=np.int64)
        depth = (np.log2(uniq // 4) // 2).astype(np.int64)
        ipix = uniq - 4 * 4**depth
        prob = np.asarray(h.data["PROBDENSITY"]) * 4 * np.pi / (12 * 4.0**depth)
    else:
        prob = np.asarray(h.data["PROB"], dtype=np.float64).ravel()
        depth = np.full(prob.shape, int(round(math.log2(h.header["NSIDE"]))), dtype=np.int64)
        ipix = np.arange(prob.size, dtype=np.int64)
    shift = 2 * (29 - depth)
    frac = covered(ranges, ipix << shift, (ipix + 1) << shift)
    print(json.dumps({"mass": float(np.sum(prob * frac)), "max_cell": float(prob.max())}))


def astro(out):
    from astropy import units as u
    from astropy.coordinates import BarycentricMeanEcliptic, SkyCoord

    rows = []
    # Magnitudes: positive, tiny, huge, zero, negative, null.
    for f, e in [(3631e9, 1.0), (1.0, 0.1), (1e-30, 1e-31), (1e30, 1e28), (5e4, 300.0), (0.0, 1.0), (-20.0, 3.0), (None, 1.0)]:
        mag = None if f is None or f <= 0 else (f * u.nJy).to(u.ABmag).value
        err = None if f is None or f <= 0 else 2.5 / math.log(10) * e / f
        rows.append({"in": {"f": f, "e": e}, "expr": "[ab_mag(.f), (.f | ab_mag), ab_mag_err(.f; .e)]", "want": [mag, mag, err], "tol": 1e-9})
    # Coordinates: the poles, RA 0/360, the galactic centre, random positions.
    rng = np.random.default_rng(7)
    pts = [(0.0, 90.0), (0.0, -90.0), (359.9999999, 0.0), (0.0, 0.0), (266.4049882865447, -28.936177761791473), (180.0, 45.0)]
    pts += list(zip(rng.uniform(0, 360, 40).tolist(), np.degrees(np.arcsin(rng.uniform(-1, 1, 40))).tolist()))
    for a, d in pts:
        c = SkyCoord(a * u.deg, d * u.deg)
        g = c.galactic
        e = c.transform_to(BarycentricMeanEcliptic())
        b2 = pts[(pts.index((a, d)) + 1) % len(pts)]
        sep = c.separation(SkyCoord(b2[0] * u.deg, b2[1] * u.deg)).arcsec
        rows.append(
            {
                "in": {"ra": a, "dec": d, "ra2": b2[0], "dec2": b2[1]},
                "expr": "[galactic(.ra; .dec) | .l, .b] + [ecliptic(.ra; .dec) | .lon, .lat] + [sep_arcsec(.ra; .dec; .ra2; .dec2)]",
                "want": [g.l.deg, g.b.deg, e.lon.deg, e.lat.deg, sep],
                # Degrees (1e-9 deg is 3.6 micro-arcsec); longitudes at the poles are
                # undefined, so only the latitude is compared there.
                "tol": 1e-9,
                "lon_at_pole": abs(d) == 90.0,
            }
        )
    # Light curves: empty history, one band only, two bands in one night, zero and
    # negative fluxes, null fields, the 4.0 field names.
    def det(mjd, band, flux, err, old=False):
        if old:
            return {"midPointTai": mjd, "filterName": band, "psFlux": flux, "psFluxErr": err}
        return {"midpointMjdTai": mjd, "band": band, "psfFlux": flux, "psfFluxErr": err}

    histories = [
        (det(60000.2, "g", 1000.0, 10.0), []),
        (det(60000.2, "g", 1000.0, 10.0), None),
        (det(60003.3, "g", 2500.0, 20.0), [det(60000.2, "g", 1000.0, 10.0), det(60001.25, "g", 1500.0, 30.0), det(60002.31, "g", 0.0, 10.0), det(60002.4, "g", -50.0, 10.0)]),
        (det(60003.3, "r", 2500.0, 20.0), [det(60003.1, "g", 1000.0, 10.0), det(60003.2, "g", 1100.0, 12.0), det(60003.25, "r", 2400.0, 25.0), det(60001.1, "r", 900.0, 9.0), det(60001.2, "g", 800.0, 9.0)]),
        (det(60010.9, "i", 300.0, 50.0), [det(60010.1 - k * 0.7, "i", 100.0 + 30 * k, 5.0 + k) for k in range(12)]),
        (det(60003.3, "g", 2500.0, 20.0, old=True), [det(60000.2, "g", 1000.0, 10.0, old=True), det(60001.25, "r", 1500.0, 30.0, old=True)]),
        (det(60003.3, "g", None, None), [det(60000.2, "g", 1000.0, 10.0), det(60001.25, "g", 1200.0, None)]),
    ]
    for own, prv in histories:
        alert = {"diaSource": own, "prvDiaSources": prv}
        pts = [own] + (prv or [])
        key = lambda p, a, b: p.get(a, p.get(b))
        t = np.array([key(p, "midpointMjdTai", "midPointTai") for p in pts], dtype=float)
        want = [len(pts), float(key(own, "midpointMjdTai", "midPointTai") - t.min()), float(t.max() - t.min())]
        for band in ["g", "r", "i"]:
            sel = [p for p in pts if key(p, "band", "filterName") == band and (key(p, "psfFlux", "psFlux") or 0) > 0 and (key(p, "psfFluxErr", "psFluxErr") or 0) > 0]
            tt = np.array([key(p, "midpointMjdTai", "midPointTai") for p in sel], dtype=float)
            if len(sel) >= 2 and np.ptp(tt) > 0:
                f = np.array([key(p, "psfFlux", "psFlux") for p in sel])
                fe = np.array([key(p, "psfFluxErr", "psFluxErr") for p in sel])
                m = (f * u.nJy).to(u.ABmag).value
                me = 2.5 / np.log(10) * fe / f
                # Times from their mean: the slope and its variance do not change, and
                # numpy's covariance keeps its precision (MJDs are ~60000).
                coef, cov = np.polyfit(tt - tt.mean(), m, 1, w=1 / me, cov="unscaled")
                want.append([float(coef[0]), float(math.sqrt(cov[0, 0])), len(sel)])
            else:
                want.append(None)
        # Colour g - r on the latest night with both (dayObs: the UTC date 12 h earlier).
        def nightly(band):
            out = {}
            for p in pts:
                f, fe = key(p, "psfFlux", "psFlux"), key(p, "psfFluxErr", "psFluxErr")
                if key(p, "band", "filterName") != band or not f or f <= 0 or not fe or fe <= 0:
                    continue
                n = math.floor(key(p, "midpointMjdTai", "midPointTai") - 0.5)
                m = (f * u.nJy).to(u.ABmag).value
                w = 1 / (2.5 / math.log(10) * fe / f) ** 2
                s = out.setdefault(n, [0.0, 0.0])
                s[0] += w * m
                s[1] += w
            return out

        g, r = nightly("g"), nightly("r")
        both = sorted(set(g) & set(r))
        if both:
            n = both[-1]
            want.append([g[n][0] / g[n][1] - r[n][0] / r[n][1], math.sqrt(1 / g[n][1] + 1 / r[n][1])])
        else:
            want.append(None)
        rows.append(
            {
                "in": alert,
                "expr": "[n_detections, days_since_first, detection_span] + [(\"g\", \"r\", \"i\") as $b | mag_rate($b) | if . then [.rate, .err, .n] else null end] + [colour(\"g\"; \"r\") | if . then [.colour, .err] else null end]",
                "want": want,
                "tol": 1e-9,
            }
        )
    with open(f"{out}/astro.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "watchlist":
        watchlist(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "moc":
        moc(args[0], int(args[1]), int(args[2]))
    elif cmd == "skymaps":
        skymaps(args[0])
    elif cmd == "mass":
        mass(args[0], args[1])
    elif cmd == "astro":
        astro(args[0])
    else:
        sys.exit(f"unknown subcommand {cmd}")
