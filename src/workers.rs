//! Work spread over threads, results kept in order: what `--workers N` runs on.

/// `f` over `items` on up to `workers` threads (the calling one among them), each
/// taking a contiguous share; the results in the items' order. One worker, or one
/// item, runs on the calling thread alone.
pub fn map_ordered<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = workers.clamp(1, items.len().max(1));
    if workers == 1 {
        return items.iter().map(&f).collect();
    }
    let share = items.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|s| {
        let mut chunks = items.chunks(share);
        let first = chunks.next().unwrap_or(&[]);
        let handles: Vec<_> = chunks
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = first.iter().map(f).collect();
        for h in handles {
            out.extend(h.join().expect("a worker panicked"));
        }
        out
    })
}

/// The number of workers `n` asks for: 0 means one per core.
pub fn count(n: usize) -> usize {
    if n == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_for_any_number_of_workers() {
        let items: Vec<u64> = (0..1000).collect();
        let want: Vec<u64> = items.iter().map(|x| x * x).collect();
        for w in [0, 1, 2, 3, 7, 1000, 5000] {
            assert_eq!(map_ordered(&items, w, |x| x * x), want, "{w} workers");
        }
        assert!(map_ordered(&[] as &[u64], 4, |x| *x).is_empty());
    }

    #[test]
    fn zero_means_every_core() {
        assert!(count(0) >= 1);
        assert_eq!(count(3), 3);
    }
}
