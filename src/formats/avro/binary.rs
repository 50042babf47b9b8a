//! The Avro binary encoding's primitives: zigzag varints, lengths, blocks and union
//! indices, each checked against the bytes left before it is used.

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes ended early.
    #[error("truncated: the Avro body ends before the alert does")]
    Truncated,
    /// The bytes do not fit the schema.
    #[error("invalid Avro: {0}")]
    Invalid(String),
    /// Bytes left over.
    #[error("{0} bytes left over after the alert: written with another schema")]
    Trailing(usize),
}

/// Skip a varint without decoding it.
#[inline]
pub(crate) fn skip_varint(buf: &mut &[u8]) -> Result<(), DecodeError> {
    for (i, b) in buf.iter().take(10).enumerate() {
        if b & 0x80 == 0 {
            *buf = &buf[i + 1..];
            return Ok(());
        }
    }
    if buf.len() < 10 {
        Err(DecodeError::Truncated)
    } else {
        Err(DecodeError::Invalid("varint longer than 10 bytes".into()))
    }
}

/// Read a union's branch index and return that branch's node.
pub fn branch(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    branch_index(branches, buf).map(|i| branches[i])
}

/// Read a union's branch index, checked against the branches.
pub fn branch_index(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let i = varint(buf)?;
    usize::try_from(i)
        .ok()
        .filter(|i| *i < branches.len())
        .ok_or_else(|| DecodeError::Invalid(format!("union index {i}")))
}

/// The branch of a union of `null` and one other type, when its index is spelled in
/// one byte (0 for branch 0, 2 for branch 1, zigzag): whether the value is there
/// (`null_index` is null's branch), the byte consumed. `None`, with nothing consumed,
/// for any other spelling, a bad index or the end of the bytes: the union's general
/// reading then decides.
#[inline]
pub(crate) fn one_byte_branch(buf: &mut &[u8], null_index: u8) -> Option<bool> {
    let present = match *buf.first()? {
        b if b == 2 * null_index => false,
        b if b == 2 - 2 * null_index => true,
        _ => return None,
    };
    *buf = &buf[1..];
    Some(present)
}

/// The next `n` bytes.
#[inline]
pub fn take<'b>(buf: &mut &'b [u8], n: usize) -> Result<&'b [u8], DecodeError> {
    if buf.len() < n {
        return Err(DecodeError::Truncated);
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// A zigzag varint (Avro int and long).
pub fn varint(buf: &mut &[u8]) -> Result<i64, DecodeError> {
    let mut x: u64 = 0;
    for shift in (0..70).step_by(7) {
        let b = *buf.first().ok_or(DecodeError::Truncated)?;
        *buf = &buf[1..];
        if shift == 63 && b > 1 {
            return Err(DecodeError::Invalid("varint longer than 64 bits".into()));
        }
        x |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok((x >> 1) as i64 ^ -((x & 1) as i64));
        }
    }
    Err(DecodeError::Invalid("varint longer than 10 bytes".into()))
}

/// A length (of bytes, a string, a map key), checked against the bytes left.
pub fn length(buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let n = varint(buf)?;
    let n = usize::try_from(n).map_err(|_| DecodeError::Invalid(format!("negative length {n}")))?;
    if n > buf.len() {
        return Err(DecodeError::Truncated);
    }
    Ok(n)
}

/// An array or map block header: item count and, when given, the block's byte size.
pub fn block(buf: &mut &[u8]) -> Result<(u64, Option<usize>), DecodeError> {
    let count = varint(buf)?;
    if count < 0 {
        let size = length(buf)?;
        Ok((count.unsigned_abs(), Some(size)))
    } else {
        if count as u64 > buf.len() as u64 * 8 + 1 {
            // Each item takes at least one byte (or is null); far more items than bytes is corrupt.
            return Err(DecodeError::Invalid(format!(
                "block of {count} items in {} bytes",
                buf.len()
            )));
        }
        Ok((count as u64, None))
    }
}
