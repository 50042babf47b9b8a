//! Watchlists as Parquet files: the columns of a CSV watchlist's header (ra, dec, name,
//! an optional radius in arcsec, and any others), read with the `parquet` crate.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::rows::{check_cone, layout_of, Columns, Extra, Fault, Parsed};

fn cast(a: &ArrayRef, to: &DataType, what: &str) -> Result<ArrayRef, Fault> {
    arrow_cast::cast(a, to).map_err(|e| (None, format!("column {what}: {e}")))
}

/// Read a Parquet watchlist from its bytes.
pub(crate) fn read(bytes: Vec<u8>, default_radius: f64) -> Result<Parsed, Fault> {
    let bytes = bytes::Bytes::from(bytes);
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .map_err(|e| (None, format!("cannot read it as Parquet: {e}")))?;
    let header: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let layout = layout_of(&header).map_err(|m| (None, m))?;
    let reader = builder
        .build()
        .map_err(|e| (None, format!("cannot read it as Parquet: {e}")))?;
    let columns: Vec<String> = layout.extra.iter().map(|(_, n)| n.clone()).collect();
    let mut cones = Columns::default();
    let mut row = 0u64;
    for batch in reader {
        let batch =
            batch.map_err(|e| (Some(row + 1), format!("cannot read it as Parquet: {e}")))?;
        let col = |i: usize| -> ArrayRef { Arc::clone(batch.column(i)) };
        let ra = cast(&col(layout.ra), &DataType::Float64, "ra")?;
        let dec = cast(&col(layout.dec), &DataType::Float64, "dec")?;
        let name = cast(&col(layout.name), &DataType::Utf8, "name")?;
        let radius = match layout.radius {
            Some(i) => Some(cast(&col(i), &DataType::Float64, "radius")?),
            None => None,
        };
        // Numbers stay numbers, booleans booleans, and the rest is text.
        let extras: Vec<(ArrayRef, DataType)> = layout
            .extra
            .iter()
            .map(|(i, n)| {
                let a = col(*i);
                let to = match a.data_type() {
                    t if t.is_numeric() => DataType::Float64,
                    DataType::Boolean => DataType::Boolean,
                    _ => DataType::Utf8,
                };
                Ok((cast(&a, &to, n)?, to))
            })
            .collect::<Result<_, Fault>>()?;
        let (ra, dec, name) = (
            ra.as_primitive::<arrow_array::types::Float64Type>(),
            dec.as_primitive::<arrow_array::types::Float64Type>(),
            name.as_string::<i32>(),
        );
        for r in 0..batch.num_rows() {
            row += 1;
            let at = Some(row);
            let num = |a: &arrow_array::Float64Array, what: &str| {
                if a.is_null(r) {
                    Err((at, format!("{what} is empty")))
                } else {
                    Ok(a.value(r))
                }
            };
            let (ra_v, dec_v) = (num(ra, "ra")?, num(dec, "dec")?);
            let radius_v = match &radius {
                Some(a) => {
                    let a = a.as_primitive::<arrow_array::types::Float64Type>();
                    if a.is_null(r) {
                        default_radius
                    } else {
                        a.value(r)
                    }
                }
                None => default_radius,
            };
            check_cone(ra_v, dec_v, radius_v).map_err(|m| (at, m))?;
            if name.is_null(r) || name.value(r).is_empty() {
                return Err((at, "the name is empty".into()));
            }
            let extra = extras.iter().map(|(a, kind)| {
                if a.is_null(r) {
                    Extra::Null
                } else {
                    match kind {
                        DataType::Float64 => {
                            Extra::Num(a.as_primitive::<arrow_array::types::Float64Type>().value(r))
                        }
                        DataType::Boolean => Extra::Bool(a.as_boolean().value(r)),
                        _ => Extra::Str(a.as_string::<i32>().value(r).to_string()),
                    }
                }
            });
            cones
                .push(ra_v, dec_v, radius_v, name.value(r), extra)
                .map_err(|m| (at, m))?;
        }
    }
    Ok((cones, columns))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;

    use crate::sky::watchlist::{Extra, Watchlist};

    fn write(path: &std::path::Path, cols: Vec<(&str, ArrayRef)>) {
        let batch = RecordBatch::try_from_iter(cols).unwrap();
        let f = std::fs::File::create(path).unwrap();
        let mut w = ArrowWriter::try_new(f, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    #[test]
    fn parquet_watchlists_keep_their_columns_typed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.parquet");
        write(
            &p,
            vec![
                (
                    "Name",
                    Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
                ),
                ("RA", Arc::new(Float64Array::from(vec![10.0, 359.9999]))),
                ("Dec", Arc::new(Float64Array::from(vec![-5.0, 0.0]))),
                (
                    "radius",
                    Arc::new(Float64Array::from(vec![Some(3.0), None])),
                ),
                ("z", Arc::new(Int64Array::from(vec![1, 2]))),
                ("variable", Arc::new(BooleanArray::from(vec![true, false]))),
            ],
        );
        let w = Watchlist::load(&p, 2.0).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w.columns(), ["z".to_string(), "variable".to_string()]);
        assert_eq!(w.cone(1).radius, 2.0);
        assert_eq!(w.cone(0).extra, [Extra::Num(1.0), Extra::Bool(true)]);
        let mut hits = Vec::new();
        w.lookup(0.0002, 0.0, &mut hits);
        assert_eq!(hits.len(), 1);
        assert_eq!(w.cone(hits[0].index).name, "b");
        // A bad row is named by its number.
        let bad = dir.path().join("bad.parquet");
        write(
            &bad,
            vec![
                (
                    "name",
                    Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
                ),
                ("ra", Arc::new(Float64Array::from(vec![10.0, 400.0]))),
                ("dec", Arc::new(Float64Array::from(vec![0.0, 0.0]))),
            ],
        );
        let e = Watchlist::load(&bad, 2.0).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("ra 400"), "{e}");
    }
}
